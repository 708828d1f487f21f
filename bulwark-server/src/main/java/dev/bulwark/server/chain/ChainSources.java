package dev.bulwark.server.chain;

import dev.bulwark.engine.BulwarkException;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The chain sources a server runs, and the start-up check of each. */
public final class ChainSources {
  private static final Logger LOG = LoggerFactory.getLogger(ChainSources.class);

  private ChainSources() {}

  /** A source and the organisation its events belong to. */
  public record Watched(long orgId, EvmSource source) {}

  /**
   * A node serving another chain stops start-up; a node that does not answer yet only warns (the
   * source keeps trying and catches up when it does).
   */
  public static void verify(EvmSource source, String network) {
    try {
      source.verifyChainId();
    } catch (BulwarkException e) {
      if (e.getCause() instanceof IOException) {
        LOG.warn("network {}: the node does not answer yet; retrying in the background", network);
      } else {
        throw e;
      }
    }
  }
}
