package dev.bulwark.server.cli;

import dev.bulwark.engine.BulwarkException;
import dev.bulwark.engine.ValidationException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code bulwark} command. Exit codes: 0 ok, 1 runtime failure, 2 bad usage or bad input. */
@Command(
    name = "bulwark",
    mixinStandardHelpOptions = true,
    versionProvider = VersionCommand.Provider.class,
    description =
        "Threat detection and threat-intelligence clearinghouse for crypto infrastructure.",
    subcommands = {
      ServeCommand.class,
      IngestCommand.class,
      AlertsCommand.class,
      RulesCommand.class,
      IntelCommand.class,
      ChainCommand.class,
      CollectionCommand.class,
      DemoCommand.class,
      TokenCommand.class,
      ConfigCommand.class,
      VersionCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  public static final int OK = 0;
  public static final int FAILED = 1;
  public static final int BAD_INPUT = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    // Only the server logs at INFO; other commands keep stderr for warnings and errors.
    boolean serving = args.length > 0 && args[0].equals("serve");
    System.setProperty("bulwark.log.level", serving ? "INFO" : "WARN");
    System.exit(run(args));
  }

  /** Runs the command line and returns the exit code; used by tests too. */
  public static int run(String... args) {
    CommandLine cli = new CommandLine(new Main());
    cli.setExecutionExceptionHandler(Main::onError);
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    return cli.execute(args);
  }

  private static int onError(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
    PrintWriter err = cmd.getErr();
    if (e instanceof ValidationException v) {
      err.println("error: " + v.getMessage());
      return BAD_INPUT;
    }
    if (e instanceof CommandLine.ParameterException p) {
      err.println("error: " + p.getMessage());
      return BAD_INPUT;
    }
    if (e instanceof BulwarkException b) {
      err.println("error: " + b.getMessage());
      return FAILED;
    }
    err.println("error: " + e);
    if (System.getenv("BULWARK_DEBUG") != null) {
      e.printStackTrace(err);
    } else {
      err.println("(set BULWARK_DEBUG=1 for the stack trace)");
    }
    return FAILED;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
