package io.tensorgate.server;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Signed models, the audit trail and cost accounting: a picocli mixin of the {@code tensorgate}
 * command and, through its setters, the programmatic settings of a server. Defaults: no signature
 * checks, audit entries kept in memory only, CPU time accounted, no prices.
 */
public final class GovernanceOptions {
  @Option(
      names = "--model-trust-keys",
      paramLabel = "<dir>",
      description =
          "Folder of Ed25519 public keys (*.pem): only model versions signed by one of them"
              + " (<model>/<version>/MODEL.sig, see 'tensorgate sign') load. Default: no checks.")
  Path trustKeys;

  @Option(
      names = "--audit-log",
      paramLabel = "<file>",
      description =
          "Append one JSON line per state-changing call to this file (rotated by size)."
              + " Default: the last entries are kept in memory only (ListAuditEntries).")
  Path auditLog;

  @Option(
      names = "--audit-log-max-file-bytes",
      paramLabel = "<bytes>",
      description = "Size at which the audit log rotates (default: ${DEFAULT-VALUE}).")
  long auditLogMaxFileBytes = 64L << 20;

  @Option(
      names = "--audit-log-max-files",
      paramLabel = "<n>",
      description = "Audit log files kept, the current one included (default: ${DEFAULT-VALUE}).")
  int auditLogMaxFiles = 10;

  @Option(
      names = "--cost-accounting",
      arity = "0..1",
      paramLabel = "<bool>",
      description =
          "Count the CPU time of each model version's instance threads, read from their"
              + " clocks when metrics ask (GPU time is counted whenever the backend reports it)"
              + " (default: ${DEFAULT-VALUE}).")
  boolean costAccounting = true;

  @Option(
      names = "--cost-per-core-hour",
      paramLabel = "<price>",
      description =
          "Price of one CPU core for an hour; with it, tensorgate_cost_per_1k_inferences is"
              + " exported. Default: 0 (no price).")
  double costPerCoreHour;

  @Option(
      names = "--cost-per-gpu-hour",
      paramLabel = "<price>",
      description = "Price of one GPU for an hour (default: 0, no price).")
  double costPerGpuHour;

  public GovernanceOptions trustKeys(Path v) {
    this.trustKeys = v;
    return this;
  }

  public GovernanceOptions auditLog(Path v) {
    this.auditLog = v;
    return this;
  }

  public GovernanceOptions auditLogMaxFileBytes(long v) {
    this.auditLogMaxFileBytes = v;
    return this;
  }

  public GovernanceOptions auditLogMaxFiles(int v) {
    this.auditLogMaxFiles = v;
    return this;
  }

  public GovernanceOptions costAccounting(boolean v) {
    this.costAccounting = v;
    return this;
  }

  public GovernanceOptions costPerCoreHour(double v) {
    this.costPerCoreHour = v;
    return this;
  }

  public GovernanceOptions costPerGpuHour(double v) {
    this.costPerGpuHour = v;
    return this;
  }

  /**
   * @throws IllegalArgumentException naming the flag of a bad value
   */
  void validate() {
    if (auditLogMaxFileBytes < 1024) {
      throw new IllegalArgumentException("--audit-log-max-file-bytes must be at least 1024");
    }
    if (auditLogMaxFiles < 1) {
      throw new IllegalArgumentException("--audit-log-max-files must be at least 1");
    }
    if (!(costPerCoreHour >= 0) || Double.isInfinite(costPerCoreHour)) {
      throw new IllegalArgumentException("--cost-per-core-hour must be a price of 0 or more");
    }
    if (!(costPerGpuHour >= 0) || Double.isInfinite(costPerGpuHour)) {
      throw new IllegalArgumentException("--cost-per-gpu-hour must be a price of 0 or more");
    }
  }
}
