package dev.bulwark.server.http;

import dev.bulwark.server.auth.Caller;
import dev.bulwark.server.chain.ChainSources;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code GET /api/v1/chain/networks}: the caller's organisation's watched networks. */
public final class ChainRoutes {
  private final List<ChainSources.Watched> chains;

  public ChainRoutes(List<ChainSources.Watched> chains) {
    this.chains = chains;
  }

  void networks(Context ctx, Caller caller) {
    List<Map<String, Object>> out =
        chains.stream()
            .filter(w -> w.orgId() == caller.orgId())
            .map(
                w -> {
                  var s = w.source().status();
                  Map<String, Object> m = new LinkedHashMap<>();
                  m.put("network", s.network());
                  m.put("head", s.head());
                  m.put("processed", s.processed());
                  m.put(
                      "lag",
                      s.head() < 0 || s.processed() < 0
                          ? null
                          : Math.max(0, s.head() - s.processed()));
                  return m;
                })
            .toList();
    ctx.json(Map.of("networks", out));
  }
}
