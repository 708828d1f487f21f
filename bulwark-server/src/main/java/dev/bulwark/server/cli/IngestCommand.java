package dev.bulwark.server.cli;

import dev.bulwark.engine.BulwarkException;
import dev.bulwark.engine.Problem;
import dev.bulwark.engine.event.Event;
import dev.bulwark.engine.event.EventParser;
import dev.bulwark.engine.event.InvalidEventException;
import dev.bulwark.server.App;
import dev.bulwark.server.config.Config;
import dev.bulwark.server.ingest.EventStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Sends a JSON Lines file (or stdin) to a running server, or with {@code --local} stores it in the
 * local database and runs detection. The whole input is validated first, so a bad line anywhere
 * means nothing is sent; re-running after a failure is safe because ingestion is idempotent.
 */
@Command(
    name = "ingest",
    mixinStandardHelpOptions = true,
    description = "Ingest events from a JSON Lines file or stdin (-).")
final class IngestCommand implements Callable<Integer> {
  private static final int MAX_REPORTED = 100;

  @Parameters(
      index = "0",
      paramLabel = "FILE",
      description = "JSON Lines file, one event per line; - for stdin")
  String input;

  @Option(
      names = "--local",
      description = "write into the local database instead of sending to a server")
  boolean local;

  @Option(
      names = "--org",
      paramLabel = "NAME",
      description = "organisation to ingest into (with --local)")
  String org;

  @Option(
      names = "--batch",
      paramLabel = "N",
      defaultValue = "1000",
      description = "events per request (default: ${DEFAULT-VALUE})")
  int batch;

  @Mixin StoreOptions store;
  @Mixin ClientOptions client;
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  private final EventParser lineParser = new EventParser(1);

  @Override
  public Integer call() throws IOException {
    if (batch < 1 || batch > 100_000) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--batch must be within 1..100000");
    }
    if (local && org == null) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--local needs --org NAME (the organisation the events belong to)");
    }
    Config config = store.config();
    Path file = input.equals("-") ? spool(System.in) : Path.of(input);
    try {
      if (!Files.isReadable(file)) {
        throw new CommandLine.ParameterException(spec.commandLine(), "cannot read " + input);
      }
      long total = validate(file);
      return local ? ingestLocal(config, file, total) : send(config, file, total);
    } finally {
      if (input.equals("-")) {
        Files.deleteIfExists(file);
      }
    }
  }

  private static Path spool(InputStream in) throws IOException {
    Path tmp = Files.createTempFile("bulwark-ingest-", ".jsonl");
    Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
    return tmp;
  }

  private String name() {
    return input.equals("-") ? "stdin" : input;
  }

  /** Checks every line; returns the number of events, or throws with every problem found. */
  private long validate(Path file) throws IOException {
    List<Problem> problems = new ArrayList<>();
    long events = 0;
    long lineNo = 0;
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      for (String line; (line = r.readLine()) != null; ) {
        lineNo++;
        if (line.isBlank()) {
          continue;
        }
        events++;
        try {
          lineParser.parse(line.getBytes(StandardCharsets.UTF_8));
        } catch (InvalidEventException e) {
          for (Problem p : e.problems()) {
            problems.add(
                new Problem(
                    name() + ":" + lineNo + " " + p.location().replaceFirst("^\\$\\[0]", "\\$"),
                    p.message()));
          }
          if (problems.size() >= MAX_REPORTED) {
            problems.add(
                new Problem(name() + ":" + lineNo, "stopped after " + MAX_REPORTED + " problems"));
            break;
          }
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new InvalidEventException(problems);
    }
    return events;
  }

  /** Reads the file in batches of parsed lines and hands each batch to the sink. */
  private interface Sink {
    EventStore.Appended accept(List<String> lines) throws IOException;
  }

  private EventStore.Appended stream(Path file, long total, Sink sink) throws IOException {
    boolean tty = System.console() != null;
    PrintWriter err = spec.commandLine().getErr();
    int received = 0;
    int accepted = 0;
    int duplicates = 0;
    List<String> lines = new ArrayList<>(batch);
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      for (String line; ; ) {
        line = r.readLine();
        if (line != null && !line.isBlank()) {
          lines.add(line);
        }
        if ((line == null && !lines.isEmpty()) || lines.size() == batch) {
          EventStore.Appended a;
          try {
            a = sink.accept(lines);
          } catch (BulwarkException e) {
            if (received > 0) {
              err.printf(
                  "%d of %d events were stored before the failure; re-running is safe (ingestion is idempotent)%n",
                  received, total);
            }
            throw e;
          }
          received += a.received();
          accepted += a.accepted();
          duplicates += a.duplicates();
          lines.clear();
          if (tty) {
            err.printf(
                "\r%d/%d events sent (%d new, %d duplicates)",
                received, total, accepted, duplicates);
            err.flush();
          }
        }
        if (line == null) {
          break;
        }
      }
    }
    if (tty) {
      err.println();
    }
    return new EventStore.Appended(received, accepted, duplicates, 0);
  }

  private int send(Config config, Path file, long total) throws IOException {
    ApiClient api = client.client(config);
    EventStore.Appended sum =
        stream(
            file,
            total,
            lines -> {
              ApiClient.Reply reply =
                  api.postNdjson(
                      "/api/v1/events", String.join("\n", lines).getBytes(StandardCharsets.UTF_8));
              if (!reply.ok()) {
                throw new BulwarkException("the server refused a batch: " + reply.problem());
              }
              return new EventStore.Appended(
                  reply.body().path("received").asInt(),
                  reply.body().path("accepted").asInt(),
                  reply.body().path("duplicates").asInt(),
                  0);
            });
    spec.commandLine()
        .getOut()
        .printf(
            "ingested %d events: %d new, %d duplicates%n",
            sum.received(), sum.accepted(), sum.duplicates());
    return Main.OK;
  }

  private int ingestLocal(Config config, Path file, long total) throws IOException {
    try (App app = App.local(config, Clock.systemUTC())) {
      long orgId = app.tokens().organisation(org).id();
      long alertsBefore = app.alerts().count(orgId);
      EventStore.Appended sum =
          stream(
              file,
              total,
              lines -> {
                List<Event> events = new ArrayList<>(lines.size());
                for (String l : lines) {
                  events.addAll(lineParser.parse(l.getBytes(StandardCharsets.UTF_8)));
                }
                return app.ingest().store(orgId, events);
              });
      app.pump().drain();
      long raised = app.alerts().count(orgId) - alertsBefore;
      spec.commandLine()
          .getOut()
          .printf(
              "ingested %d events into '%s': %d new, %d duplicates; %d alerts raised%n",
              sum.received(), org, sum.accepted(), sum.duplicates(), raised);
    }
    return Main.OK;
  }
}
