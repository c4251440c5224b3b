import { describe, expect, it } from 'vitest';
import { applyBatch, initialLedger } from './ledger';
import {
  MAX_STOCKTAKE_ROWS,
  parseStocktake,
  previewStocktake,
  stocktakeEventId,
  stocktakeFileDigest,
  stocktakeTemplate,
} from './stocktake';
import { TestStream } from './testing';

describe('stocktake file', () => {
  it('reads counted rows in any column order, quoted fields, a BOM and CRLF line ends', () => {
    const file =
      '\uFEFFcounted,Location,product\r\n12,A01,Apples\r\n0,"Aisle 3 / Bay 2",Pears\r\n5,"Kühl, raum ❄",Milk\r\n';
    expect(parseStocktake(file)).toEqual({
      rows: [
        { line: 2, product: 'Apples', location: 'A01', counted: 12 },
        { line: 3, product: 'Pears', location: 'Aisle 3 / Bay 2', counted: 0 },
        { line: 4, product: 'Milk', location: 'Kühl, raum ❄', counted: 5 },
      ],
      problems: [],
    });
  });

  it('takes an empty location as the unassigned pool and skips blank lines', () => {
    expect(parseStocktake('product,location,counted\n\nApples,,3\n\n').rows).toEqual([
      { line: 3, product: 'Apples', location: '-', counted: 3 },
    ]);
  });

  it('says what to fix on each line that cannot be a row, and keeps the others', () => {
    const file = [
      'product,location,counted',
      'Apples,A01,3',
      'App les,A01,3',
      'Pears,A01,-2',
      'Plums,A01,2.5',
      'Milk,A01,',
      'Apples,A01,4',
      'Kiwis,"a\u0007b",1',
    ].join('\n');
    const { rows, problems } = parseStocktake(file);
    expect(rows.map((r) => r.line)).toEqual([2]);
    expect(problems).toEqual([
      { line: 3, message: expect.stringContaining('Product "App les" contains space') },
      { line: 4, message: 'Counted "-2" is not a whole number of 0 or more' },
      { line: 5, message: 'Counted "2.5" is not a whole number of 0 or more' },
      { line: 6, message: 'Counted is empty: write the number counted, 0 for an empty shelf' },
      { line: 7, message: 'Apples at A01 is counted twice (first on line 2)' },
      { line: 8, message: expect.stringContaining('control character') },
    ]);
  });

  it('refuses a file without the three columns, an empty file, and one too long to be a stocktake', () => {
    expect(parseStocktake('').problems).toEqual([{ line: 1, message: 'The file is empty' }]);
    expect(parseStocktake('product,qty\nApples,3').problems[0]!.message).toMatch(/^The first line must name/);
    const big = [
      'product,location,counted',
      ...Array.from({ length: MAX_STOCKTAKE_ROWS + 1 }, (_, i) => `P${i},A,1`),
    ];
    expect(parseStocktake(big.join('\n')).problems[0]!.message).toMatch(/at most 20000 are allowed/);
  });

  it('gives a template that cannot run a formula in a spreadsheet, and reads it back as written', () => {
    const template = stocktakeTemplate([{ product: 'Apples', location: '=HYPERLINK("x")' }]);
    expect(template).toBe('product,location,counted\r\nApples,"\'=HYPERLINK(""x"")",\r\n');
    const filled = template.replace('",\r\n', '",4\r\n');
    expect(parseStocktake(filled).rows).toEqual([
      { line: 2, product: 'Apples', location: '=HYPERLINK("x")', counted: 4 },
    ]);
  });

  it('gives a template it reads back', () => {
    const template = stocktakeTemplate([
      { product: 'Apples', location: 'A01' },
      { product: 'Pears', location: 'Aisle 3, Bay "2"' },
    ]);
    expect(template).toBe('product,location,counted\r\nApples,A01,\r\nPears,"Aisle 3, Bay ""2""",\r\n');
    const filled = template.replace('A01,', 'A01,7').replace('""",\r\n', '""",0\r\n');
    expect(parseStocktake(filled).rows).toEqual([
      { line: 2, product: 'Apples', location: 'A01', counted: 7 },
      { line: 3, product: 'Pears', location: 'Aisle 3, Bay "2"', counted: 0 },
    ]);
  });
});

describe('stocktake preview', () => {
  it('says of each row whether it is unchanged, differs by how much, or names an unknown product', () => {
    const s = new TestStream();
    const state = applyBatch(initialLedger(), [
      s.corrected('46', 'Apples', 'A01', 10),
      s.corrected('46', 'Apples', 'B01', 4),
      s.corrected('52', 'Kiwis', 'A01', 1),
    ]);
    const { rows } = parseStocktake(
      'product,location,counted\nApples,A01,10\nApples,B01,1\nApples,C01,2\nKiwis,A01,1\n',
    );
    expect(
      previewStocktake(rows, state.stock, '46').map((r) => [
        r.status,
        r.recorded,
        r.difference,
        r.expectedSeq,
      ]),
    ).toEqual([
      ['unchanged', 10, 0, 2],
      ['differs', 4, -3, 2],
      ['differs', 0, 2, 2],
      ['unknown_product', 0, 1, 0],
    ]);
  });
});

describe('stocktake event ids', () => {
  it('are UUID-shaped, the same for the same file, warehouse and line, and differ otherwise', () => {
    const digest = stocktakeFileDigest('product,location,counted\nApples,A01,3\n');
    const id = stocktakeEventId(digest, '46', 2);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(stocktakeEventId(stocktakeFileDigest('product,location,counted\nApples,A01,3\n'), '46', 2)).toBe(
      id,
    );
    const others = new Set([
      id,
      stocktakeEventId(digest, '46', 3),
      stocktakeEventId(digest, '52', 2),
      stocktakeEventId(stocktakeFileDigest('product,location,counted\nApples,A01,4\n'), '46', 2),
    ]);
    expect(others.size).toBe(4);
    const many = new Set(Array.from({ length: 20_000 }, (_, line) => stocktakeEventId(digest, '46', line)));
    expect(many.size).toBe(20_000);
  });
});
