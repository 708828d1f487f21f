package dev.bulwark.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.engine.BulwarkException;
import dev.bulwark.server.auth.TokenStore;
import dev.bulwark.server.chain.EvmSource;
import dev.bulwark.server.config.Config;
import dev.bulwark.server.db.Database;
import dev.bulwark.server.ingest.EventStore;
import dev.bulwark.server.ingest.IngestService;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code bulwark chain status}: the watched networks of the token's organisation; {@code bulwark
 * chain backfill}: read a range of blocks again into the local database.
 */
@Command(
    name = "chain",
    mixinStandardHelpOptions = true,
    description = "Watched EVM networks.",
    subcommands = {ChainCommand.Status.class, ChainCommand.Backfill.class})
final class ChainCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description = "Each network's head, last processed block and lag.")
  static final class Status implements Callable<Integer> {
    @Mixin StoreOptions store;
    @Mixin ClientOptions client;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      ApiClient.Reply reply = client.client(store.config()).get("/api/v1/chain/networks", Map.of());
      if (!reply.ok()) {
        throw new BulwarkException(reply.problem());
      }
      JsonNode networks = reply.body().path("networks");
      if (networks.isEmpty()) {
        spec.commandLine()
            .getOut()
            .println("no networks are watched for this organisation (see docs/chain.md)");
        return Main.OK;
      }
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"NETWORK", "HEAD", "PROCESSED", "LAG"});
      networks.forEach(
          n ->
              rows.add(
                  new String[] {
                    n.path("network").asText(),
                    n.path("head").asText(),
                    n.path("processed").asText(),
                    n.path("lag").asText("?")
                  }));
      Table.print(spec.commandLine().getOut(), rows);
      return Main.OK;
    }
  }

  @Command(
      name = "backfill",
      mixinStandardHelpOptions = true,
      description = {
        "Reads blocks FROM..TO of a configured network and stores their events in the database,",
        "without moving the network's checkpoint. Events already stored are not stored twice;",
        "a running server picks the new events up for detection."
      })
  static final class Backfill implements Callable<Integer> {
    @CommandLine.Option(
        names = "--network",
        required = true,
        paramLabel = "ID",
        description = "a network of the config file, e.g. eip155:1")
    String network;

    @CommandLine.Option(names = "--from", required = true, paramLabel = "N")
    long from;

    @CommandLine.Option(names = "--to", required = true, paramLabel = "M")
    long to;

    @Mixin StoreOptions store;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      Config config = store.config();
      Config.Network n =
          config.networks().stream()
              .filter(x -> x.id().equals(network))
              .findFirst()
              .orElseThrow(
                  () ->
                      new CommandLine.ParameterException(
                          spec.commandLine(),
                          "--network %s is not in the config; configured: %s"
                              .formatted(
                                  network,
                                  config.networks().isEmpty()
                                      ? "none (see docs/chain.md)"
                                      : String.join(
                                          ", ",
                                          config.networks().stream()
                                              .map(Config.Network::id)
                                              .toList()))));
      if (from < 0 || to < from) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--from and --to need 0 <= from <= to");
      }
      PrintWriter out = spec.commandLine().getOut();
      Clock clock = Clock.systemUTC();
      try (Database db = Database.open(config.storage())) {
        long org = new TokenStore(db.jdbi(), clock).organisation(n.organisation()).id();
        IngestService ingest =
            new IngestService(
                config.ingest().maxBatchEvents(),
                new EventStore(db.jdbi(), clock),
                new SimpleMeterRegistry(),
                () -> {});
        long blocks = to - from + 1;
        long step = Math.max(1, blocks / 20);
        try (EvmSource source =
            new EvmSource(
                EvmSource.network(n), org, db.jdbi(), ingest, clock, new SimpleMeterRegistry())) {
          source.verifyChainId();
          long events =
              source.backfill(
                  from,
                  to,
                  (block, sofar) -> {
                    long done = block - from + 1;
                    if (done % step == 0 || block == to) {
                      out.printf(
                          "%s: block %d (%d/%d), %d events%n", network, block, done, blocks, sofar);
                      out.flush();
                    }
                  });
          out.printf(
              "backfilled %s blocks %d..%d: %d events read (already stored ones kept once)%n",
              network, from, to, events);
        }
      }
      return Main.OK;
    }
  }
}
