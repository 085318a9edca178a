package io.tensorgate.server.audit;

import java.util.List;

/**
 * Where state changes are recorded. {@link #record} is called on transport threads and the rollout
 * thread and must never block them; {@link #recent} serves the admin call.
 */
public interface AuditTrail {
  /** Records nothing. */
  AuditTrail NONE =
      new AuditTrail() {
        @Override
        public void record(AuditEntry entry) {}

        @Override
        public List<AuditEntry> recent(String model, int limit) {
          return List.of();
        }
      };

  /** Records an entry; returns at once. */
  void record(AuditEntry entry);

  /**
   * The most recent entries kept in memory, oldest first.
   *
   * @param model only entries about this model; empty for all
   * @param limit at most this many (the newest); 0 for all kept
   */
  List<AuditEntry> recent(String model, int limit);
}
