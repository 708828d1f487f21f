package dev.bulwark.engine.pack;

import dev.bulwark.engine.detect.Detector;
import java.util.List;

/**
 * The detections of the built-in pack written in code, where the rule language does not reach
 * (call-trace paths, per-wallet counterparty books). The pack's rules ship as YAML beside them.
 */
public final class Pack {
  private Pack() {}

  /** One instance of each; detectors keep their memory in the engine's state, not in fields. */
  public static List<Detector> detectors() {
    return List.of(
        new Reentrancy(),
        new AddressPoisoning(),
        new ImpossibleTravel(),
        new MixerFundedDeployer(),
        new AutomatedIntrusion(),
        new PriceSwing(),
        new KeyCompromise(),
        new FakeToken(),
        new BurstDrain(),
        new FlashLoanExploit(),
        new RugPull());
  }
}
