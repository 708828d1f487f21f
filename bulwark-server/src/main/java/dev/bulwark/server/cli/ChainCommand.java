package dev.bulwark.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.engine.BulwarkException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code bulwark chain status}: the watched networks of the token's organisation. */
@Command(
    name = "chain",
    mixinStandardHelpOptions = true,
    description = "Watched EVM networks.",
    subcommands = {ChainCommand.Status.class})
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
}
