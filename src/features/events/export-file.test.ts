import { describe, expect, it } from 'vitest';
import { EMPTY_FILTER } from '../../core/event-log';
import { ExportParts, exportFileName, exportFraction } from './export-file';

describe('export files', () => {
  it('names the file after the filter and the moment in UTC', () => {
    const filter = { ...EMPTY_FILTER, warehouse: '46', product: 'Apples' };
    expect(exportFileName(filter, 'csv', Date.UTC(2026, 10, 28, 18, 22, 47, 123))).toBe(
      'stockwire-events-46-Apples-20261128T182247Z.csv',
    );
    expect(exportFileName(EMPTY_FILTER, 'jsonl', 0)).toBe('stockwire-events-19700101T000000Z.jsonl');
  });

  it('assembles the pieces into one file of the right type, skipping empty ones', async () => {
    const parts = new ExportParts();
    parts.add('a,b\r\n');
    parts.add('');
    parts.add('1,"é"\r\n');
    const blob = parts.toBlob('csv');
    expect(blob.type).toBe('text/csv;charset=utf-8');
    expect(await blob.text()).toBe('a,b\r\n1,"é"\r\n');
    expect(parts.size).toBe(blob.size);
  });

  it('measures progress against the events in range', () => {
    expect(exportFraction(250, 1000)).toBe(0.25);
    expect(exportFraction(0, 0)).toBe(1);
    expect(exportFraction(1200, 1000)).toBe(1);
  });
});
