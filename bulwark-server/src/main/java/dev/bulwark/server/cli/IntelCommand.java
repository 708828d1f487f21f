package dev.bulwark.server.cli;

import dev.bulwark.engine.intel.Feeds;
import dev.bulwark.server.db.Database;
import dev.bulwark.server.intel.IntelService;
import dev.bulwark.server.intel.IntelStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code bulwark intel import}: load a threat feed into the store (operators only: it applies to
 * everyone).
 */
@Command(
    name = "intel",
    mixinStandardHelpOptions = true,
    description = "Manage threat intelligence.",
    subcommands = {IntelCommand.Import.class})
final class IntelCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "import",
      mixinStandardHelpOptions = true,
      description =
          "Import a copy of a feed, replacing the previous copy: values no longer listed are delisted. A running server picks it up within seconds.")
  static final class Import implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "the feed file")
    Path file;

    @Option(
        names = "--feed",
        required = true,
        paramLabel = "NAME",
        description = "the feed's name, e.g. ofac-eth")
    String feed;

    @Option(
        names = "--format",
        required = true,
        paramLabel = "FORMAT",
        description =
            "mew-addresses, mew-urls, ofac-list, ofac-xml, forta, misp or csv (bzip2 and gzip files are read as they are)")
    String format;

    @Option(
        names = "--confidence",
        defaultValue = "80",
        paramLabel = "N",
        description = "0..100 (default: ${DEFAULT-VALUE})")
    int confidence;

    @Mixin StoreOptions store;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
      Feeds.Format f;
      try {
        f = Feeds.Format.parse(format);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
      }
      if (confidence < 0 || confidence > 100) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--confidence must be within 0..100");
      }
      if (!feed.matches("[a-z0-9][a-z0-9._-]{0,99}")) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--feed must be lower-case letters, digits, '.', '_' or '-'");
      }
      try (Database db = Database.open(store.config().storage());
          java.io.InputStream content = dev.bulwark.server.intel.FeedFiles.open(file)) {
        IntelService intel =
            new IntelService(new IntelStore(db.jdbi(), Clock.systemUTC()), Clock.systemUTC());
        IntelStore.Replaced r = intel.importFeed(feed, f, content, confidence);
        spec.commandLine()
            .getOut()
            .printf(
                "feed %s: %d listed, %d added, %d delisted%n",
                feed, r.listed(), r.added(), r.delisted());
      }
      return Main.OK;
    }
  }
}
