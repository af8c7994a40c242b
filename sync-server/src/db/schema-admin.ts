/**
 * Kysely table types of migration 0009 (managers, sessions, audit log, till queue state, review resolution).
 * An augmentation of schema.ts, like schema-sync.ts, so branches adding tables in parallel do not edit the same
 * lines.
 */
import type { Generated, Insertable, Selectable } from 'kysely';

export interface ManagersTable {
  id: string;
  store_id: string;
  /** Lower-cased and trimmed. */
  email: string;
  /** argon2id PHC string. */
  password_hash: string;
  created_at: number;
}

export interface ManagerSessionsTable {
  /** sha256 of the session id, hex; the id itself is only in the manager's cookie. */
  id_hash: string;
  manager_id: string;
  csrf_secret: string;
  created_at: number;
  expires_at: number;
}

export interface AuditLogTable {
  id: Generated<number>;
  /** null: a server-wide entry no store's manager sees. */
  store_id: string | null;
  at: number;
  actor_kind: 'manager' | 'device' | 'provider' | 'sweeper' | 'system';
  actor_id: string | null;
  action: string;
  subject_type: string | null;
  subject_id: string | null;
  /** A JSON object. */
  detail: string | null;
}

declare module './schema.ts' {
  interface DB {
    managers: ManagersTable;
    manager_sessions: ManagerSessionsTable;
    audit_log: AuditLogTable;
  }
  interface PaymentsTable {
    /** When a manager resolved the payment from the review queue, who, and why. */
    reviewed_at: number | null;
    reviewed_by: string | null;
    review_note: string | null;
  }
  interface WebhookEventsTable {
    /** The stored delivery a manager replayed to make this one. */
    replay_of: number | null;
  }
}

declare module './schema-sync.ts' {
  interface DeviceSyncTable {
    /** The till's queue as its last push left it (client_state), times on the server's clock. */
    queue_depth: number | null;
    parked: number | null;
    oldest_unsynced_at: number | null;
    unverified_amount: number | null;
    state_reported_at: number | null;
  }
}

export type ManagerRow = Selectable<ManagersTable>;
export type NewManager = Insertable<ManagersTable>;
export type ManagerSessionRow = Selectable<ManagerSessionsTable>;
export type AuditRow = Selectable<AuditLogTable>;
export type NewAuditEntry = Insertable<AuditLogTable>;
