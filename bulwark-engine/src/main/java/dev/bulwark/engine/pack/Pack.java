package dev.bulwark.engine.pack;

import dev.bulwark.engine.detect.Detector;
import java.util.List;
import java.util.Map;

/**
 * The detections of the built-in pack written in code, where the rule language does not reach
 * (call-trace paths, per-wallet counterparty books). The pack's rules ship as YAML beside them.
 */
public final class Pack {
  private Pack() {}

  /**
   * Whether the event was kept only as context of a watched transaction ({@code attrs.watched =
   * none}): it touches no watched address, so detections about the watched wallets' own activity
   * skip it.
   */
  static boolean context(dev.bulwark.engine.event.Event e) {
    return "none".equals(e.attrs().get("watched"));
  }

  /**
   * Whether the event's sender may be a watched wallet: no watch list (everything is ours), or the
   * sender is watched ({@code attrs.watched} {@code from} or {@code both}).
   */
  static boolean sentByWatched(dev.bulwark.engine.event.Event e) {
    Object w = e.attrs().get("watched");
    return w == null || "from".equals(w) || "both".equals(w);
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  /** A detector's state entry kept as a plain bean (public fields), as snapshot JSON. */
  static com.fasterxml.jackson.databind.JsonNode beanToJson(Object bean) {
    return JSON.valueToTree(bean);
  }

  /** The inverse of {@link #beanToJson}; a snapshot that does not read back is an error. */
  static <T> T beanFromJson(com.fasterxml.jackson.databind.JsonNode json, Class<T> type) {
    try {
      return JSON.treeToValue(json, type);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException(
          "a snapshot entry that is not a " + type.getSimpleName() + ": " + e.getMessage(), e);
    }
  }

  /** The tunable detectors' settings with their defaults, by detector id. */
  public static Map<String, Map<String, Object>> settings() {
    Map<String, Map<String, Object>> out = new java.util.TreeMap<>();
    out.put(KeyCompromise.ID, new java.util.TreeMap<>(KeyCompromise.DEFAULTS));
    out.put(BurstDrain.ID, new java.util.TreeMap<>(BurstDrain.DEFAULTS));
    out.put(PriceSwing.ID, new java.util.TreeMap<>(PriceSwing.DEFAULTS));
    out.put(ImpossibleTravel.ID, new java.util.TreeMap<>(ImpossibleTravel.DEFAULTS));
    out.put(AddressPoisoning.ID, new java.util.TreeMap<>(AddressPoisoning.DEFAULTS));
    out.put(RugPull.ID, new java.util.TreeMap<>(RugPull.DEFAULTS));
    out.put(FlashLoanExploit.ID, new java.util.TreeMap<>(FlashLoanExploit.DEFAULTS));
    out.put(Reentrancy.ID, new java.util.TreeMap<>(Reentrancy.DEFAULTS));
    out.put(AutomatedIntrusion.ID, new java.util.TreeMap<>(AutomatedIntrusion.DEFAULTS));
    out.put(MixerFundedDeployer.ID, new java.util.TreeMap<>(MixerFundedDeployer.DEFAULTS));
    return out;
  }

  /** One instance of each; detectors keep their memory in the engine's state, not in fields. */
  public static List<Detector> detectors() {
    return detectors(Map.of());
  }

  /**
   * One instance of each, with the operator's settings ({@code tuning}: detector id → setting →
   * value, checked against {@link #settings()}).
   */
  public static List<Detector> detectors(Map<String, Map<String, Object>> tuning) {
    return detectors(tuning, Map.of());
  }

  /**
   * As {@link #detectors(Map)}, with more official token contracts for the fake-token detector
   * (chain → symbol → contract).
   */
  public static List<Detector> detectors(
      Map<String, Map<String, Object>> tuning, Map<String, Map<String, String>> officialTokens) {
    Map<String, Map<String, Object>> tunable = settings();
    for (String id : tuning.keySet()) {
      if (!tunable.containsKey(id)) {
        throw new IllegalArgumentException(
            "'%s' has no settings; the tunable detectors are %s"
                .formatted(id, String.join(", ", tunable.keySet())));
      }
    }
    java.util.function.Function<String, Map<String, Object>> of =
        id -> tuning.getOrDefault(id, Map.of());
    return List.of(
        new Reentrancy(of.apply(Reentrancy.ID)),
        new AddressPoisoning(of.apply(AddressPoisoning.ID)),
        new ImpossibleTravel(of.apply(ImpossibleTravel.ID)),
        new MixerFundedDeployer(of.apply(MixerFundedDeployer.ID)),
        new AutomatedIntrusion(of.apply(AutomatedIntrusion.ID)),
        new PriceSwing(of.apply(PriceSwing.ID)),
        new KeyCompromise(of.apply(KeyCompromise.ID)),
        new FakeToken(officialTokens),
        new BurstDrain(of.apply(BurstDrain.ID)),
        new FlashLoanExploit(of.apply(FlashLoanExploit.ID)),
        new RugPull(of.apply(RugPull.ID)));
  }
}
