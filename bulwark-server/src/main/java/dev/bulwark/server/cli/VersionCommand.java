package dev.bulwark.server.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Prints the version. */
@Command(name = "version", mixinStandardHelpOptions = true, description = "Print the version.")
final class VersionCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  static String version() {
    return dev.bulwark.server.Version.current();
  }

  @Override
  public void run() {
    spec.commandLine()
        .getOut()
        .printf("bulwark %s (java %s)%n", version(), System.getProperty("java.version"));
  }

  /** For {@code bulwark --version}. */
  static final class Provider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"bulwark " + version()};
    }
  }
}
