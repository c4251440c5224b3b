/**
 * The slot through which a page shows "why is this number what it is?". Pages cannot import the audit
 * feature (features never import each other, docs/architecture.md#code-layout), so the shell hands them the
 * panel as a component and the pages only know this contract.
 */
import type { ComponentType } from 'react';
import type { AuditScope } from '../core/audit';

/** The projector's `stock_levels` value, shown beside the trail when it was opened from the bucket. */
export interface BucketFigure {
  quantity: number | null;
  seq: number | null;
}

export interface TrailPanelProps {
  scope: AuditScope;
  /** The user may publish a correction (the server has the last word). */
  canCorrect: boolean;
  bucket?: BucketFigure;
  onClose: () => void;
}

export type TrailPanel = ComponentType<TrailPanelProps>;
