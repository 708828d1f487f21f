package dev.bulwark.server.cli;

import dev.bulwark.server.config.ConfigLoader;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code bulwark config check}. */
@Command(
    name = "config",
    mixinStandardHelpOptions = true,
    description = "Inspect the configuration.",
    subcommands = {ConfigCommand.Check.class})
final class ConfigCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      description =
          "Validate the configuration and print the effective values (secrets masked) with their origin.")
  static final class Check implements Callable<Integer> {
    @Mixin StoreOptions store;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      ConfigLoader.Loaded loaded = store.load(Map.of());
      loaded.describe().forEach(spec.commandLine().getOut()::println);
      return Main.OK;
    }
  }
}
