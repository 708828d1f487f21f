package dev.bulwark.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.bulwark.engine.BulwarkException;
import dev.bulwark.engine.detect.Severity;
import dev.bulwark.server.alert.AlertCursor;
import dev.bulwark.server.alert.AlertQuery;
import dev.bulwark.server.alert.AlertStore;
import dev.bulwark.server.auth.TokenStore;
import dev.bulwark.server.config.Config;
import dev.bulwark.server.db.Database;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Lists alerts as a table (or JSON), from a server or, with {@code --local}, the local store. */
@Command(
    name = "alerts",
    mixinStandardHelpOptions = true,
    description = "List alerts, newest first.",
    subcommands = {AlertsCommand.Share.class})
final class AlertsCommand implements Callable<Integer> {
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

  @Option(
      names = "--severity",
      paramLabel = "S[,S…]",
      split = ",",
      description = "only these severities")
  List<String> severity = new ArrayList<>();

  @Option(names = "--min-severity", paramLabel = "S", description = "only this severity and above")
  String minSeverity;

  @Option(names = "--rule", paramLabel = "ID", description = "only this rule")
  String rule;

  @Option(names = "--since", paramLabel = "TIME", description = "alert time at or after (ISO-8601)")
  Instant since;

  @Option(names = "--until", paramLabel = "TIME", description = "alert time before (ISO-8601)")
  Instant until;

  @Option(
      names = "--limit",
      paramLabel = "N",
      defaultValue = "50",
      description = "page size (default: ${DEFAULT-VALUE})")
  int limit;

  @Option(names = "--cursor", paramLabel = "C", description = "continue after a previous page")
  String cursor;

  @Option(names = "--json", description = "print the page as JSON")
  boolean json;

  @Option(names = "--local", description = "read the local database instead of a server")
  boolean local;

  @Option(names = "--org", paramLabel = "NAME", description = "organisation (with --local)")
  String org;

  @Mixin StoreOptions store;
  @Mixin ClientOptions client;
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (limit < 1 || limit > AlertQuery.MAX_LIMIT) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--limit must be within 1.." + AlertQuery.MAX_LIMIT);
    }
    Config config = store.config();
    JsonNode page = local ? localPage(config) : remotePage(config);
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(page));
      return Main.OK;
    }
    printTable(out, page.path("alerts"));
    if (page.hasNonNull("next_cursor")) {
      out.printf("more: --cursor %s%n", page.get("next_cursor").asText());
    }
    return Main.OK;
  }

  private JsonNode remotePage(Config config) {
    Map<String, String> q = new LinkedHashMap<>();
    if (!severity.isEmpty()) {
      q.put("severity", String.join(",", severity));
    }
    Optional.ofNullable(minSeverity).ifPresent(v -> q.put("min_severity", v));
    Optional.ofNullable(rule).ifPresent(v -> q.put("rule", v));
    Optional.ofNullable(since).ifPresent(v -> q.put("since", v.toString()));
    Optional.ofNullable(until).ifPresent(v -> q.put("until", v.toString()));
    Optional.ofNullable(cursor).ifPresent(v -> q.put("cursor", v));
    q.put("limit", Integer.toString(limit));
    ApiClient.Reply reply = client.client(config).get("/api/v1/alerts", q);
    if (!reply.ok()) {
      throw new BulwarkException(reply.problem());
    }
    return reply.body();
  }

  private JsonNode localPage(Config config) {
    if (org == null) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--local needs --org NAME");
    }
    Set<Severity> wanted = EnumSet.noneOf(Severity.class);
    try {
      severity.forEach(s -> wanted.add(Severity.parse(s.trim())));
      if (minSeverity != null) {
        Severity floor = Severity.parse(minSeverity);
        Set<Severity> atLeast = EnumSet.noneOf(Severity.class);
        Arrays.stream(Severity.values())
            .filter(s -> s.rank() >= floor.rank())
            .forEach(atLeast::add);
        if (wanted.isEmpty()) {
          wanted.addAll(atLeast);
        } else {
          wanted.retainAll(atLeast);
        }
      }
    } catch (BulwarkException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    try (Database db = Database.open(config.storage())) {
      long orgId = new TokenStore(db.jdbi(), Clock.systemUTC()).organisation(org).id();
      AlertQuery q =
          new AlertQuery(
              wanted,
              Optional.ofNullable(rule),
              Optional.ofNullable(since),
              Optional.ofNullable(until),
              limit,
              Optional.ofNullable(cursor).map(AlertCursor::decode));
      AlertStore.Page page = new AlertStore(db.jdbi(), Clock.systemUTC()).list(orgId, q);
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("alerts", page.alerts());
      out.put("next_cursor", page.next().map(AlertCursor::encode).orElse(null));
      return JSON.valueToTree(out);
    }
  }

  /** {@code bulwark alerts share ID --collection C}: the alert as STIX in a TAXII collection. */
  @Command(
      name = "share",
      mixinStandardHelpOptions = true,
      description =
          "Share an alert with members: its attacker wallets and IPs as STIX indicators and a sighting, in a TAXII collection (nothing about the victim is shared).")
  static final class Share implements Callable<Integer> {
    @picocli.CommandLine.Parameters(paramLabel = "ALERT", description = "the alert id")
    String alert;

    @Option(
        names = "--collection",
        required = true,
        paramLabel = "C",
        description = "collection id or alias to share into")
    String collection;

    @Option(
        names = "--tlp",
        paramLabel = "LEVEL",
        defaultValue = "amber",
        description = "clear, green, amber, amber+strict or red (default: ${DEFAULT-VALUE})")
    String tlp;

    @Option(
        names = "--recipient",
        paramLabel = "ORG",
        description = "with --tlp red: an organisation it may reach (repeatable)")
    List<String> recipients = new ArrayList<>();

    @Option(
        names = "--valid-days",
        paramLabel = "N",
        defaultValue = "90",
        description = "how long the indicators stay valid (default: ${DEFAULT-VALUE})")
    int validDays;

    @Option(
        names = "--include-related",
        description =
            "share the alert's related wallets and IPs too, not only its attackers (when you judged them malicious)")
    boolean includeRelated;

    @Mixin StoreOptions store;
    @Mixin ClientOptions client;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      var body = JSON.createObjectNode();
      if (includeRelated) {
        body.put("include_related", true);
      }
      body.put("collection", collection);
      body.put("tlp", tlp);
      body.put("valid_days", validDays);
      if (!recipients.isEmpty()) {
        var list = body.putArray("recipients");
        recipients.forEach(list::add);
      }
      ApiClient.Reply reply =
          client
              .client(store.config())
              .postJson(
                  "/api/v1/alerts/"
                      + java.net.URLEncoder.encode(alert, java.nio.charset.StandardCharsets.UTF_8)
                      + "/share",
                  body);
      if (!reply.ok()) {
        spec.commandLine().getErr().println("error: " + reply.problem());
        return reply.status() == 422 || reply.status() == 400 ? Main.BAD_INPUT : Main.FAILED;
      }
      JsonNode r = reply.body();
      PrintWriter out = spec.commandLine().getOut();
      out.printf(
          "shared alert %s into %s as %s: %d new object(s)%n",
          alert, r.path("collection").asText(), r.path("tlp").asText(), r.path("stored").asInt());
      r.path("indicators").forEach(i -> out.println("  indicator " + i.asText()));
      r.path("sightings").forEach(i -> out.println("  sighting  " + i.asText()));
      return Main.OK;
    }
  }

  private static void printTable(PrintWriter out, JsonNode alerts) {
    if (alerts.isEmpty()) {
      out.println("no alerts");
      return;
    }
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"TIME", "SEVERITY", "RULE", "TITLE", "ID"});
    for (JsonNode a : alerts) {
      String time =
          Instant.parse(a.path("time").asText()).truncatedTo(ChronoUnit.SECONDS).toString();
      String title = a.path("title").asText();
      if (title.length() > 70) {
        title = title.substring(0, 69) + "…";
      }
      rows.add(
          new String[] {
            time, a.path("severity").asText(), a.path("rule").asText(), title, a.path("id").asText()
          });
    }
    Table.print(out, rows);
  }
}
