package dev.bulwark.engine.event;

import java.util.List;
import java.util.Set;

/** The top-level fields of the canonical event, and the ones that name an entity. */
public final class EventFields {
  /** Every top-level field, in canonical order. */
  public static final List<String> ALL =
      List.of(
          "id",
          "type",
          "time",
          "source",
          "account",
          "ip",
          "device",
          "chain",
          "asset",
          "amount",
          "amount_usd",
          "from",
          "to",
          "tx",
          "attrs");

  /** Fields that identify an actor or asset holder, usable in a rule's {@code entities}. */
  public static final Set<String> ENTITY_FIELDS = Set.of("account", "ip", "device", "from", "to");

  private EventFields() {}
}
