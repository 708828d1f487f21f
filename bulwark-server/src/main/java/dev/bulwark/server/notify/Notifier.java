package dev.bulwark.server.notify;

import dev.bulwark.engine.detect.Alert;
import dev.bulwark.engine.detect.Severity;
import dev.bulwark.server.config.Secret;
import java.util.Optional;
import java.util.Set;

/**
 * One destination of an organisation's alerts, with a severity floor and an optional rule filter.
 * The secret is the webhook signing key or the SMTP password.
 */
public record Notifier(
    String id,
    long orgId,
    String name,
    Channel channel,
    Severity minSeverity,
    Set<String> rules,
    Optional<Secret> secret) {
  public Notifier {
    rules = Set.copyOf(rules);
  }

  /** Whether an alert should go to this notifier. */
  public boolean wants(Alert a) {
    return a.severity().rank() >= minSeverity.rank()
        && (rules.isEmpty() || rules.contains(a.rule()));
  }
}
