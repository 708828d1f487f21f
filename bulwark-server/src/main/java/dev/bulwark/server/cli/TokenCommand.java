package dev.bulwark.server.cli;

import dev.bulwark.server.auth.Role;
import dev.bulwark.server.auth.TokenStore;
import dev.bulwark.server.db.Database;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code bulwark token create}. */
@Command(
    name = "token",
    mixinStandardHelpOptions = true,
    description = "Manage API tokens.",
    subcommands = {TokenCommand.Create.class})
final class TokenCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description =
          "Create a token for an organisation (created if new). The token is printed once; only its hash is kept.")
  static final class Create implements Callable<Integer> {
    @Mixin StoreOptions store;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--org",
        required = true,
        paramLabel = "NAME",
        description = "organisation name")
    String org;

    @Option(
        names = "--role",
        required = true,
        paramLabel = "ROLE",
        description = "admin, analyst, ingest or peer (TAXII only)")
    String role;

    @Option(names = "--label", paramLabel = "TEXT", description = "a note on what the token is for")
    String label;

    @Override
    public Integer call() {
      Role r;
      try {
        r = Role.parse(role);
      } catch (RuntimeException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
      }
      try (Database db = Database.open(store.config().storage())) {
        TokenStore.Created created =
            new TokenStore(db.jdbi(), Clock.systemUTC()).create(org, r, label);
        spec.commandLine().getOut().println(created.token());
        spec.commandLine()
            .getErr()
            .printf(
                "created %s for organisation '%s' with role %s; store the token now, it is not shown again%n",
                created.id(), created.org().name(), r.label());
      }
      return Main.OK;
    }
  }
}
