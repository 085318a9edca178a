package io.tensorgate.server;

import io.grpc.BindableService;
import io.grpc.ServerInterceptor;
import io.micrometer.core.instrument.MeterRegistry;
import io.tensorgate.server.audit.AuditInterceptor;
import io.tensorgate.server.audit.AuditLog;
import io.tensorgate.server.audit.AuditTrail;
import io.tensorgate.server.audit.GovernanceService;
import io.tensorgate.server.cost.CostMetrics;
import io.tensorgate.server.cost.CostPrices;
import io.tensorgate.server.provenance.ModelInfoMetrics;
import io.tensorgate.server.provenance.ModelVerifier;
import io.tensorgate.server.provenance.SignatureVerifier;
import io.tensorgate.server.provenance.TrustedKeys;
import io.tensorgate.server.repository.ModelRegistry;
import io.tensorgate.server.security.Callers;
import java.io.IOException;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires signed models, the audit trail and cost accounting into a server: the verifier the
 * repository loads through, the prices routing reports, and their meters. Prepared before anything
 * starts (bad keys stop the start-up), bound to the metrics before the first load.
 */
final class Governance implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Governance.class);

  /** Audit lines waiting for the writer before new ones are counted as lost. */
  static final int AUDIT_QUEUE = 4096;

  private final GovernanceOptions options;
  private final ModelVerifier verifier;
  private final SignatureVerifier signatures;
  private final CostPrices prices;
  private final AuditLog audit;

  private Governance(GovernanceOptions options, SignatureVerifier signatures) {
    this.options = options;
    this.audit =
        options.auditLog == null
            ? new AuditLog()
            : new AuditLog(
                options.auditLog,
                options.auditLogMaxFileBytes,
                options.auditLogMaxFiles,
                AUDIT_QUEUE);
    this.signatures = signatures;
    this.verifier = signatures != null ? signatures : ModelVerifier.NONE;
    this.prices = new CostPrices(options.costPerCoreHour, options.costPerGpuHour);
  }

  /**
   * Checks the options and reads the trusted keys.
   *
   * @throws IllegalArgumentException naming a bad flag value or key file
   * @throws IOException when the key folder cannot be read
   */
  static Governance prepare(GovernanceOptions o) throws IOException {
    o.validate();
    SignatureVerifier signatures = null;
    if (o.trustKeys != null) {
      TrustedKeys keys = TrustedKeys.read(o.trustKeys);
      signatures = new SignatureVerifier(keys);
      log.info("model signatures are checked: {} trusted key(s)", keys.size());
    }
    return new Governance(o, signatures);
  }

  ModelVerifier verifier() {
    return verifier;
  }

  boolean costAccounting() {
    return options.costAccounting;
  }

  CostPrices prices() {
    return prices;
  }

  /** Registers the meters; call before the first load. */
  void bind(MeterRegistry meters, ModelRegistry models) {
    if (signatures != null) {
      signatures.bindTo(meters);
    }
    models.addListener(new ModelInfoMetrics(meters));
    models.addListener(new CostMetrics(meters, prices));
    audit.bindTo(meters);
  }

  AuditTrail audit() {
    return audit;
  }

  /**
   * Records every state-changing call; install it outside the access rules (added after them on the
   * server builder) so that refused calls are recorded too.
   */
  ServerInterceptor auditInterceptor(Callers callers) {
    return new AuditInterceptor(audit, callers, Clock.systemUTC());
  }

  /** The admin GovernanceService: provenance and audit entries. */
  BindableService service(ModelRegistry models) {
    return new GovernanceService(models, audit);
  }

  /** Writes the queued audit lines; call last, after everything that records them stopped. */
  @Override
  public void close() {
    audit.close();
  }
}
