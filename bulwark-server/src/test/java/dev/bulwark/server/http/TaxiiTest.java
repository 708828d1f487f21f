package dev.bulwark.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bulwark.engine.intel.Tlp;
import dev.bulwark.server.App;
import dev.bulwark.server.auth.Role;
import dev.bulwark.server.config.Config;
import dev.bulwark.server.db.TestDatabases;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The TAXII 2.1 server against a real server on port 0 with a real H2 store. */
final class TaxiiTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TAXII = "application/taxii+json;version=2.1";
  private static final String ROOT = "/taxii2/bulwark/";
  private static final long MAX_BODY = 256 * 1024;

  @TempDir Path dir;
  private App app;
  private final HttpClient http = HttpClient.newHttpClient();
  private String producer;
  private String reader;
  private String writeOnly;
  private String outsider;
  private String ingest;
  private String collection;
  private long producerOrg;

  @BeforeEach
  void start() {
    Config config =
        new Config(
            new Config.Server("127.0.0.1", 0, MAX_BODY),
            TestDatabases.h2(dir.resolve("data")),
            new Config.Rules(Optional.empty()),
            new Config.Ingest(1000, Duration.ofSeconds(10)),
            new Config.Detection(4, Duration.ofMinutes(5)),
            Config.Notify.defaults(),
            List.of());
    app = App.serve(config, Clock.systemUTC());
    producer = app.tokens().create("exchange-a", Role.ANALYST, null).token();
    reader = app.tokens().create("exchange-b", Role.PEER, null).token();
    writeOnly = app.tokens().create("reporter-w", Role.PEER, null).token();
    outsider = app.tokens().create("stranger-c", Role.ADMIN, null).token();
    ingest = app.tokens().create("exchange-a", Role.INGEST, null).token();
    producerOrg = app.tokens().organisation("exchange-a").id();
    collection = "91a7b528-80eb-42ed-a74d-c6fbd5a26116";
    app.stix().createCollection(collection, "Crypto intel", "shared", "crypto", producerOrg);
    app.stix().grant(collection, app.tokens().organisation("exchange-b").id(), true, false);
    app.stix().grant(collection, app.tokens().organisation("reporter-w").id(), false, true);
    // a collection exchange-b may not see at all
    app.stix()
        .createCollection("0a000000-0000-4000-8000-000000000000", "Private", null, producerOrg);
  }

  @AfterEach
  void stop() {
    app.close();
  }

  private record Reply(int status, String contentType, JsonNode body, HttpResponse<String> raw) {
    String header(String name) {
      return raw.headers().firstValue(name).orElse(null);
    }
  }

  private Reply send(HttpRequest.Builder b, String token) throws Exception {
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    JsonNode body = r.body().isEmpty() ? null : JSON.readTree(r.body());
    return new Reply(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), body, r);
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + app.port() + path);
  }

  private Reply get(String path, String token) throws Exception {
    return send(HttpRequest.newBuilder(uri(path)).header("Accept", TAXII).GET(), token);
  }

  private Reply post(String path, String body, String token) throws Exception {
    return send(
        HttpRequest.newBuilder(uri(path))
            .header("Accept", TAXII)
            .header("Content-Type", TAXII)
            .POST(HttpRequest.BodyPublishers.ofString(body)),
        token);
  }

  private String objects() {
    return ROOT + "collections/" + collection + "/objects/";
  }

  private static String q(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private static String indicator(int n, String modified, String marking) {
    return """
        {"type":"indicator","spec_version":"2.1",\
        "id":"indicator--00000000-0000-4000-8000-%012d",\
        "created":"2026-11-26T09:00:00.000Z","modified":"%s","name":"drainer %d",\
        "pattern":"[domain-name:value = 'drainer%d.example']","pattern_type":"stix",\
        "valid_from":"2026-11-26T09:00:00Z","confidence":80%s}"""
        .formatted(
            n,
            modified,
            n,
            n,
            marking == null
                ? ""
                : ",\"object_marking_refs\":[\"%s\"]"
                    .formatted(Tlp.parse(marking).orElseThrow().id()));
  }

  private static String envelope(List<String> objects) {
    return "{\"objects\":[" + String.join(",", objects) + "]}";
  }

  private static List<String> ids(JsonNode envelope) {
    List<String> out = new ArrayList<>();
    envelope.path("objects").forEach(o -> out.add(o.get("id").asText()));
    return out;
  }

  private static String id(int n) {
    return "indicator--00000000-0000-4000-8000-%012d".formatted(n);
  }

  @Test
  void discoveryApiRootAndCollectionsWithBearerOrBasic() throws Exception {
    Reply none = get("/taxii2/", null);
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.contentType()).isEqualTo(TAXII);
    assertThat(none.header("WWW-Authenticate")).contains("Basic").contains("Bearer");
    assertThat(none.body().get("http_status").asText()).isEqualTo("401");
    assertThat(none.body().get("title").asText()).isNotBlank();

    Reply discovery = get("/taxii2/", reader);
    assertThat(discovery.status()).isEqualTo(200);
    assertThat(discovery.contentType()).isEqualTo(TAXII);
    assertThat(discovery.body().get("default").asText()).isEqualTo(ROOT);
    assertThat(discovery.body().get("api_roots").get(0).asText()).isEqualTo(ROOT);

    String basic =
        Base64.getEncoder()
            .encodeToString(("exchange-b:" + reader).getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> viaBasic =
        http.send(
            HttpRequest.newBuilder(uri(ROOT))
                .header("Authorization", "Basic " + basic)
                .header("Accept", "application/taxii+json")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(viaBasic.statusCode()).isEqualTo(200);
    JsonNode root = JSON.readTree(viaBasic.body());
    assertThat(root.get("versions").get(0).asText()).isEqualTo(TAXII);
    assertThat(root.get("max_content_length").asLong()).isEqualTo(MAX_BODY);
    String wrong = Base64.getEncoder().encodeToString("x:wrong".getBytes(StandardCharsets.UTF_8));
    assertThat(
            http.send(
                    HttpRequest.newBuilder(uri(ROOT))
                        .header("Authorization", "Basic " + wrong)
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .statusCode())
        .isEqualTo(401);

    assertThat(get(ROOT, ingest).status()).as("an ingest token has no TAXII access").isEqualTo(403);
    assertThat(get("/taxii2/other/", reader).status()).isEqualTo(404);

    // each organisation sees its own rights, collections sorted by id
    JsonNode mine = get(ROOT + "collections/", producer).body().get("collections");
    assertThat(mine).hasSize(2);
    assertThat(mine.get(0).get("id").asText()).isEqualTo("0a000000-0000-4000-8000-000000000000");
    JsonNode theirs = get(ROOT + "collections/", reader).body().get("collections");
    assertThat(theirs).hasSize(1);
    assertThat(theirs.get(0).get("id").asText()).isEqualTo(collection);
    assertThat(theirs.get(0).get("alias").asText()).isEqualTo("crypto");
    assertThat(theirs.get(0).get("can_read").asBoolean()).isTrue();
    assertThat(theirs.get(0).get("can_write").asBoolean()).isFalse();
    assertThat(theirs.get(0).get("media_types").get(0).asText())
        .isEqualTo("application/stix+json;version=2.1");
    assertThat(get(ROOT + "collections/", outsider).body()).as("no collections: {}").isEmpty();

    Reply one = get(ROOT + "collections/" + collection + "/", writeOnly);
    assertThat(one.status()).isEqualTo(200);
    assertThat(one.body().get("can_read").asBoolean()).isFalse();
    assertThat(one.body().get("can_write").asBoolean()).isTrue();
    assertThat(get(ROOT + "collections/crypto/", reader).body().get("id").asText())
        .as("by alias")
        .isEqualTo(collection);
    Reply hidden = get(ROOT + "collections/0a000000-0000-4000-8000-000000000000/", reader);
    assertThat(hidden.status()).isEqualTo(404);
    assertThat(hidden.body().get("http_status").asText()).isEqualTo("404");
    assertThat(get(ROOT + "collections/" + collection + "/objects/", outsider).status())
        .as("no grant: the collection does not exist for you")
        .isEqualTo(404);
  }

  @Test
  void mediaTypesAreNegotiatedAndBadRequestsAreRefusedWithTaxiiErrors() throws Exception {
    Reply v20 =
        send(
            HttpRequest.newBuilder(uri(ROOT))
                .header("Accept", "application/taxii+json;version=2.0"),
            reader);
    assertThat(v20.status()).isEqualTo(406);
    assertThat(v20.contentType()).isEqualTo(TAXII);
    assertThat(v20.body().get("http_status").asText()).isEqualTo("406");
    assertThat(
            send(HttpRequest.newBuilder(uri(ROOT)).header("Accept", "text/html"), reader).status())
        .isEqualTo(406);
    assertThat(
            send(
                    HttpRequest.newBuilder(uri(ROOT + "collections/" + collection + "/manifest/"))
                        .header("Accept", "application/stix+json;version=2.1"),
                    reader)
                .status())
        .as("manifests may be asked for as STIX")
        .isEqualTo(200);

    Reply plain =
        send(
            HttpRequest.newBuilder(uri(objects()))
                .header("Accept", TAXII)
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString(envelope(List.of()))),
            producer);
    assertThat(plain.status()).isEqualTo(415);
    assertThat(plain.body().get("description").asText()).contains(TAXII);

    // larger than max_content_length: 413, nothing stored
    List<String> many = new ArrayList<>();
    for (int i = 1; many.stream().mapToInt(String::length).sum() < MAX_BODY; i++) {
      many.add(indicator(i, "2026-11-26T09:00:00.000Z", null));
    }
    Reply big = post(objects(), envelope(many), producer);
    assertThat(big.status()).isEqualTo(413);
    assertThat(big.body().get("http_status").asText()).isEqualTo("413");

    // one valid and two invalid objects: 422 naming each problem by path, nothing stored
    String bad =
        envelope(
            List.of(
                indicator(1, "2026-11-26T09:00:00.000Z", null),
                indicator(2, "2026-11-26T09:00:00Z", null),
                "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"indicator--1\"}"));
    Reply refused = post(objects(), bad, producer);
    assertThat(refused.status()).isEqualTo(422);
    assertThat(refused.contentType()).isEqualTo(TAXII);
    assertThat(refused.body().get("http_status").asText()).isEqualTo("422");
    List<String> locations = new ArrayList<>();
    refused.body().at("/details/errors").forEach(e -> locations.add(e.get("location").asText()));
    assertThat(locations).contains("$.objects[1].modified", "$.objects[2].id");
    assertThat(locations).noneMatch(l -> l.startsWith("$.objects[0]"));
    assertThat(post(objects(), "{\"objects\": [", producer).status()).isEqualTo(400);
    assertThat(get(objects(), producer).body().has("objects")).as("nothing stored").isFalse();

    assertThat(post(objects(), envelope(List.of()), reader).status())
        .as("read-only member may not add")
        .isEqualTo(403);

    for (String badQuery :
        List.of(
            "limit=0",
            "limit=ten",
            "added_after=yesterday",
            "match[version]=all,first",
            "match[version]=last,last",
            "match[version]=newest",
            "match[id]=" + q("indicator--1, indicator--2"),
            "match[type]=Indicator",
            "match[spec_version]=two",
            "match[type]=indicator&match[type]=malware",
            "next=garbage")) {
      Reply r = get(objects() + "?" + badQuery.replace("[", "%5B").replace("]", "%5D"), reader);
      assertThat(r.status()).as(badQuery).isEqualTo(400);
      assertThat(r.body().get("http_status").asText()).as(badQuery).isEqualTo("400");
    }
    assertThat(get(ROOT + "status/8e1ba9c3-0000-4000-8000-000000000000/", producer).status())
        .isEqualTo(404);
    assertThat(get(ROOT + "no/such/thing/", producer).body().get("http_status").asText())
        .isEqualTo("404");
  }

  @Test
  void addObjectsAnswersAStatusAndObjectsComeBackAsSent() throws Exception {
    String withDecimal =
        indicator(1, "2026-11-26T09:00:00.000Z", "TLP:GREEN")
            .replace("\"confidence\":80", "\"confidence\":80,\"x_score\":2.50");
    Reply added =
        post(
            objects(),
            envelope(
                List.of(
                    withDecimal,
                    indicator(2, "2026-11-26T09:00:00.000Z", null),
                    "{\"type\":\"domain-name\",\"spec_version\":\"2.1\",\"id\":\"domain-name--7d2c1a4b-0c4e-5d7a-8f5e-2b1c0d9e8f7a\",\"value\":\"drainer1.example\"}")),
            producer);
    assertThat(added.status()).isEqualTo(202);
    assertThat(added.contentType()).isEqualTo(TAXII);
    JsonNode status = added.body();
    assertThat(status.get("status").asText()).isEqualTo("complete");
    assertThat(status.get("total_count").asInt()).isEqualTo(3);
    assertThat(status.get("success_count").asInt()).isEqualTo(3);
    assertThat(status.get("failure_count").asInt()).isZero();
    assertThat(status.get("pending_count").asInt()).isZero();
    assertThat(status.get("successes")).hasSize(3);
    assertThat(status.get("successes").get(0).get("version").asText())
        .isEqualTo("2026-11-26T09:00:00.000Z");

    // as taxii2-client finds it: collection URL + ../../status/{id}/
    URI statusUri =
        uri(ROOT + "collections/" + collection + "/")
            .resolve("../../status/" + status.get("id").asText() + "/");
    Reply polled = send(HttpRequest.newBuilder(statusUri).header("Accept", TAXII), producer);
    assertThat(polled.status()).isEqualTo(200);
    assertThat(polled.body()).isEqualTo(status);
    assertThat(send(HttpRequest.newBuilder(statusUri).header("Accept", TAXII), outsider).status())
        .as("another organisation's status")
        .isEqualTo(404);

    Reply again = post(objects(), envelope(List.of(withDecimal)), producer);
    assertThat(again.status()).as("an exact duplicate never fails").isEqualTo(202);
    assertThat(again.body().get("success_count").asInt()).isEqualTo(1);
    assertThat(again.body().at("/successes/0/message").asText()).contains("already");

    Reply page = get(objects(), reader);
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.contentType()).isEqualTo(TAXII);
    assertThat(page.body().get("more").asBoolean()).isFalse();
    assertThat(page.body().has("next")).isFalse();
    assertThat(ids(page.body()))
        .containsExactly(id(1), id(2), "domain-name--7d2c1a4b-0c4e-5d7a-8f5e-2b1c0d9e8f7a");
    assertThat(page.raw().body()).as("values as sent").contains("\"x_score\":2.50");
    String first = page.header("X-TAXII-Date-Added-First");
    String last = page.header("X-TAXII-Date-Added-Last");
    assertThat(first).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z");
    assertThat(Instant.parse(last)).isAfter(Instant.parse(first));

    // the write-only member may add but not read
    assertThat(
            post(
                    objects(),
                    envelope(List.of(indicator(9, "2026-11-26T09:00:00.000Z", null))),
                    writeOnly)
                .status())
        .isEqualTo(202);
    assertThat(get(objects(), writeOnly).status()).isEqualTo(403);
  }

  @Test
  void everyFilterSelectsWhatTheSpecSays() throws Exception {
    String v1 = "2026-11-26T09:00:00.000Z";
    String v2 = "2026-11-26T10:00:00.000Z";
    String v3 = "2026-11-26T11:00:00.500Z";
    assertThat(
            post(
                    objects(),
                    envelope(List.of(indicator(1, v1, null), indicator(2, v1, null))),
                    producer)
                .status())
        .isEqualTo(202);
    Instant between = Instant.parse(get(objects(), reader).header("X-TAXII-Date-Added-Last"));
    assertThat(post(objects(), envelope(List.of(indicator(1, v2, null))), producer).status())
        .isEqualTo(202);
    Reply third =
        post(
            objects(),
            envelope(
                List.of(
                    indicator(1, v3, null),
                    "{\"type\":\"malware\",\"spec_version\":\"2.1\",\"id\":\"malware--31b940d4-6f7f-459a-80ea-9c1f17b58abc\",\"created\":\"2026-11-26T09:00:00.000Z\",\"modified\":\"2026-11-26T09:00:00.000Z\",\"name\":\"Inferno Drainer\",\"is_family\":true}")),
            producer);
    assertThat(third.status()).as(third.raw().body()).isEqualTo(202);

    // default: the last version of each object, in date-added order
    assertThat(versionsOf(get(objects(), reader).body()))
        .containsExactly(
            id(2) + "@" + v1,
            id(1) + "@" + v3,
            "malware--31b940d4-6f7f-459a-80ea-9c1f17b58abc@2026-11-26T09:00:00.000Z");
    assertThat(versionsOf(get(objects() + "?match%5Bversion%5D=all", reader).body()))
        .containsExactly(
            id(1) + "@" + v1,
            id(2) + "@" + v1,
            id(1) + "@" + v2,
            id(1) + "@" + v3,
            "malware--31b940d4-6f7f-459a-80ea-9c1f17b58abc@2026-11-26T09:00:00.000Z");
    assertThat(
            versionsOf(
                get(objects() + "?match%5Bversion%5D=first&match%5Btype%5D=indicator", reader)
                    .body()))
        .containsExactly(id(1) + "@" + v1, id(2) + "@" + v1);
    assertThat(
            versionsOf(
                get(objects() + "?match%5Bversion%5D=first,last&match%5Bid%5D=" + id(1), reader)
                    .body()))
        .containsExactly(id(1) + "@" + v1, id(1) + "@" + v3);
    assertThat(
            versionsOf(
                get(objects() + "?match%5Bversion%5D=" + q("2026-11-26T10:00:00Z"), reader).body()))
        .as("an exact version, whatever digits it is written with")
        .containsExactly(id(1) + "@" + v2);
    assertThat(
            versionsOf(
                get(objects() + "?match%5Bversion%5D=" + q("2026-11-26T11:00:00.5Z"), reader)
                    .body()))
        .containsExactly(id(1) + "@" + v3);
    assertThat(ids(get(objects() + "?match%5Bid%5D=" + id(2) + "," + id(1), reader).body()))
        .containsExactly(id(2), id(1));
    assertThat(ids(get(objects() + "?match%5Btype%5D=malware,tool", reader).body()))
        .containsExactly("malware--31b940d4-6f7f-459a-80ea-9c1f17b58abc");
    assertThat(get(objects() + "?match%5Bspec_version%5D=2.0", reader).body().has("objects"))
        .isFalse();
    assertThat(ids(get(objects() + "?match%5Bspec_version%5D=2.0,2.1", reader).body())).hasSize(3);
    assertThat(
            versionsOf(
                get(
                        objects() + "?match%5Bversion%5D=all&added_after=" + q(between.toString()),
                        reader)
                    .body()))
        .as("added_after is strictly after")
        .containsExactly(
            id(1) + "@" + v2,
            id(1) + "@" + v3,
            "malware--31b940d4-6f7f-459a-80ea-9c1f17b58abc@2026-11-26T09:00:00.000Z");
    assertThat(
            versionsOf(
                get(
                        objects()
                            + "?match%5Bversion%5D=first&added_after="
                            + q(between.toString()),
                        reader)
                    .body()))
        .as("first among those added after")
        .containsExactly(
            id(1) + "@" + v2,
            "malware--31b940d4-6f7f-459a-80ea-9c1f17b58abc@2026-11-26T09:00:00.000Z");

    // one object, its versions, the manifest
    String object = objects() + id(1) + "/";
    assertThat(versionsOf(get(object, reader).body())).containsExactly(id(1) + "@" + v3);
    assertThat(versionsOf(get(object + "?match%5Bversion%5D=all", reader).body())).hasSize(3);
    Reply versions = get(object + "versions/", reader);
    assertThat(versions.status()).isEqualTo(200);
    assertThat(versions.body().get("versions"))
        .extracting(JsonNode::asText)
        .containsExactly(v1, v2, v3);
    assertThat(versions.header("X-TAXII-Date-Added-First")).isNotNull();
    Reply paged = get(object + "versions/?limit=2", reader);
    assertThat(paged.body().get("versions")).hasSize(2);
    assertThat(paged.body().get("more").asBoolean()).isTrue();
    Reply rest =
        get(object + "versions/?limit=2&next=" + paged.body().get("next").asText(), reader);
    assertThat(rest.body().get("versions")).extracting(JsonNode::asText).containsExactly(v3);
    assertThat(get(objects() + id(77) + "/", reader).status()).isEqualTo(404);
    assertThat(get(objects() + id(77) + "/versions/", reader).status()).isEqualTo(404);

    Reply manifest =
        get(ROOT + "collections/" + collection + "/manifest/?match%5Bversion%5D=all", reader);
    assertThat(manifest.status()).isEqualTo(200);
    JsonNode records = manifest.body().get("objects");
    assertThat(records).hasSize(5);
    assertThat(records.get(0).get("id").asText()).isEqualTo(id(1));
    assertThat(records.get(0).get("version").asText()).isEqualTo(v1);
    assertThat(records.get(0).get("media_type").asText())
        .isEqualTo("application/stix+json;version=2.1");
    assertThat(records.get(0).get("date_added").asText())
        .isEqualTo(manifest.header("X-TAXII-Date-Added-First"));
    assertThat(records.get(4).get("date_added").asText())
        .isEqualTo(manifest.header("X-TAXII-Date-Added-Last"));
  }

  private static List<String> versionsOf(JsonNode envelope) {
    List<String> out = new ArrayList<>();
    envelope
        .path("objects")
        .forEach(o -> out.add(o.get("id").asText() + "@" + o.get("modified").asText()));
    return out;
  }

  @Test
  void deleteFollowsTheAccessMatrixAndOnlyTheProducerDeletes() throws Exception {
    post(
        objects(),
        envelope(
            List.of(
                indicator(1, "2026-11-26T09:00:00.000Z", null),
                indicator(1, "2026-11-26T10:00:00.000Z", null))),
        producer);
    // a second producer adds a version of its own object
    app.stix().grant(collection, app.tokens().organisation("exchange-b").id(), true, true);
    post(objects(), envelope(List.of(indicator(2, "2026-11-26T09:00:00.000Z", null))), reader);

    String object = objects() + id(1) + "/";
    assertThat(delete(object, outsider).status()).as("no access: 404").isEqualTo(404);
    assertThat(delete(object, writeOnly).status()).as("write only: 403").isEqualTo(403);
    Reply notTheirs = delete(object, reader);
    assertThat(notTheirs.status()).as("not the producer").isEqualTo(403);
    assertThat(notTheirs.body().get("description").asText()).contains("produced");
    assertThat(get(object + "versions/", reader).body().get("versions")).hasSize(2);

    Reply one = delete(object + "?match%5Bversion%5D=first", producer);
    assertThat(one.status()).isEqualTo(200);
    assertThat(get(object + "versions/", reader).body().get("versions"))
        .extracting(JsonNode::asText)
        .containsExactly("2026-11-26T10:00:00.000Z");
    assertThat(delete(object + "?match%5Bversion%5D=all", producer).status()).isEqualTo(200);
    assertThat(get(object, reader).status()).isEqualTo(404);
    assertThat(delete(objects() + id(2) + "/", reader).status()).as("its own").isEqualTo(200);
    assertThat(get(objects(), producer).body().has("objects")).isFalse();
  }

  private Reply delete(String path, String token) throws Exception {
    return send(HttpRequest.newBuilder(uri(path)).header("Accept", TAXII).DELETE(), token);
  }

  @Test
  void pagingOverConcurrentInsertsSeesEveryObjectOnceInOrder() throws Exception {
    List<String> first = new ArrayList<>();
    for (int i = 1; i <= 250; i++) {
      first.add(indicator(i, "2026-11-26T09:00:00.000Z", null));
    }
    assertThat(post(objects(), envelope(first), producer).status()).isEqualTo(202);

    // while a reader pages with limit=40, a writer adds 150 more in 15 small requests
    CompletableFuture<Void> writer =
        CompletableFuture.runAsync(
            () -> {
              for (int batch = 0; batch < 15; batch++) {
                List<String> objects = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                  objects.add(indicator(1000 + batch * 10 + i, "2026-11-26T09:00:00.000Z", null));
                }
                try {
                  assertThat(post(objects(), envelope(objects), producer).status()).isEqualTo(202);
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              }
            });
    List<String> seen = new ArrayList<>();
    List<Instant> added = new ArrayList<>();
    String next = null;
    String after = null;
    int pages = 0;
    while (true) {
      boolean writerWasDone = writer.isDone();
      String query =
          "?limit=40"
              + (after == null ? "" : "&added_after=" + q(after))
              + (next == null ? "" : "&next=" + next);
      Reply page = get(objects() + query, reader);
      assertThat(page.status()).isEqualTo(200);
      List<String> ids = ids(page.body());
      assertThat(ids.size()).isLessThanOrEqualTo(40);
      seen.addAll(ids);
      pages++;
      if (!ids.isEmpty()) {
        added.add(Instant.parse(page.header("X-TAXII-Date-Added-First")));
        added.add(Instant.parse(page.header("X-TAXII-Date-Added-Last")));
      }
      if (page.body().get("more").asBoolean()) {
        next = page.body().get("next").asText();
        continue;
      }
      if (writerWasDone) {
        break;
      }
      // caught up with the writer: poll on from the last date added (spec 3.5)
      next = null;
      if (!ids.isEmpty()) {
        after = page.header("X-TAXII-Date-Added-Last");
      }
      Thread.sleep(5);
    }
    writer.join();
    Set<String> expected = new HashSet<>();
    IntStream.rangeClosed(1, 250).forEach(i -> expected.add(id(i)));
    IntStream.range(1000, 1150).forEach(i -> expected.add(id(i)));
    assertThat(seen).as("every object exactly once").hasSize(400).doesNotHaveDuplicates();
    assertThat(new HashSet<>(seen)).isEqualTo(expected);
    assertThat(added).as("ascending date_added across pages").isSorted();
    assertThat(pages).isGreaterThan(10);
    List<String> byDate = tailAfter(Instant.EPOCH);
    assertThat(byDate).as("the same by added_after paging alone").isEqualTo(seen);
  }

  /** Pages by {@code added_after} = the last page's X-TAXII-Date-Added-Last, as spec 3.5 allows. */
  private List<String> tailAfter(Instant from) throws Exception {
    List<String> out = new ArrayList<>();
    String after = from.toString();
    while (true) {
      Reply page = get(objects() + "?limit=70&added_after=" + q(after), reader);
      List<String> ids = ids(page.body());
      out.addAll(ids);
      if (ids.isEmpty()) {
        return out;
      }
      after = page.header("X-TAXII-Date-Added-Last");
    }
  }

  @Test
  void tlpIsEnforcedOnEveryPageAndACursorNeverWidensIt() throws Exception {
    Map<String, Integer> levels = new LinkedHashMap<>();
    levels.put("TLP:CLEAR", 1);
    levels.put("TLP:GREEN", 2);
    levels.put("TLP:AMBER", 3);
    levels.put("TLP:AMBER+STRICT", 4);
    levels.put("TLP:RED", 5);
    List<String> objects = new ArrayList<>();
    levels.forEach((level, n) -> objects.add(indicator(n, "2026-11-26T09:00:00.000Z", level)));
    objects.add(indicator(6, "2026-11-26T09:00:00.000Z", null));
    post(objects(), envelope(objects), producer);

    List<String> readerSees = new ArrayList<>();
    String next = null;
    do {
      Reply page = get(objects() + "?limit=1" + (next == null ? "" : "&next=" + next), reader);
      readerSees.addAll(ids(page.body()));
      next = page.body().path("next").asText(null);
    } while (next != null);
    assertThat(readerSees).containsExactly(id(1), id(2), id(3), id(6));
    assertThat(ids(get(objects(), producer).body()))
        .containsExactly(id(1), id(2), id(3), id(4), id(5), id(6));
    assertThat(get(objects() + id(5) + "/", reader).status()).as("RED is not there").isEqualTo(404);
    assertThat(get(ROOT + "collections/" + collection + "/manifest/", reader).body().get("objects"))
        .hasSize(4);
    // a cursor forged to start before the RED object still only shows what the reader may see
    String forged =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(
                ("0."
                        + new String(
                                Base64.getUrlDecoder().decode(firstCursor()),
                                StandardCharsets.US_ASCII)
                            .split("\\.")[1])
                    .getBytes(StandardCharsets.US_ASCII));
    assertThat(ids(get(objects() + "?limit=10&next=" + forged, reader).body()))
        .containsExactly(id(1), id(2), id(3), id(6));
  }

  private static String walletIndicator(int n, String modified, String marking, String extra) {
    return """
        {"type":"indicator","spec_version":"2.1",\
        "id":"indicator--00000000-0000-4000-8000-%012d",\
        "created":"2026-11-26T09:00:00.000Z","modified":"%s","name":"drainer wallet %d",\
        "pattern":"[cryptocurrency-wallet:value = '0x00000000000000000000000000000000000dead%d']",\
        "pattern_type":"stix","valid_from":"2026-01-01T00:00:00Z","confidence":90%s%s}"""
        .formatted(
            n,
            modified,
            n,
            n,
            marking == null
                ? ""
                : ",\"object_marking_refs\":[\"%s\"]"
                    .formatted(Tlp.parse(marking).orElseThrow().id()),
            extra);
  }

  private List<String> intelAlerts(String adminToken, int wallet) throws Exception {
    String event =
        """
        {"id":"ev-%d-%s","type":"wallet.withdrawal_requested","time":"2026-11-26T12:00:00Z",\
        "account":"u-1","to":"0x00000000000000000000000000000000000dead%d"}"""
            .formatted(wallet, UUID.randomUUID(), wallet);
    Reply posted =
        send(
            HttpRequest.newBuilder(uri("/api/v1/events"))
                .header("Content-Type", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofString(event)),
            adminToken);
    assertThat(posted.status()).as(posted.raw().body()).isEqualTo(202);
    assertThat(posted.body().get("detected").asBoolean()).isTrue();
    Reply alerts =
        send(HttpRequest.newBuilder(uri("/api/v1/alerts?rule=intel.indicator-match")), adminToken);
    List<String> out = new ArrayList<>();
    alerts
        .body()
        .get("alerts")
        .forEach(
            a -> {
              if (a.get("summary").asText().contains("dead" + wallet + ",")) {
                out.add(a.get("summary").asText());
              }
            });
    return out;
  }

  @Test
  void indicatorsReachTheDetectionOfEveryOrganisationThatMaySeeThem() throws Exception {
    String readerAdmin = app.tokens().create("exchange-b", Role.ADMIN, null).token();
    String outsiderAdmin = outsider;
    Reply added =
        post(
            objects(),
            envelope(
                List.of(
                    walletIndicator(1, "2026-11-26T09:00:00.000Z", "TLP:AMBER", ""),
                    walletIndicator(2, "2026-11-26T09:00:00.000Z", "TLP:RED", ""),
                    walletIndicator(
                        3,
                        "2026-11-26T09:00:00.000Z",
                        null,
                        ",\"valid_until\":\"2026-02-01T00:00:00Z\""),
                    walletIndicator(4, "2026-11-26T09:00:00.000Z", "TLP:GREEN", ""))),
            producer);
    assertThat(added.status()).isEqualTo(202);
    await(() -> app.stixIntel().size(app.tokens().organisation("exchange-b").id()) == 3);

    List<String> amber = intelAlerts(readerAdmin, 1);
    assertThat(amber).hasSize(1);
    assertThat(amber.get(0))
        .contains("indicator--00000000-0000-4000-8000-000000000001")
        .contains("exchange-a via TAXII collection crypto")
        .contains("confidence 90");
    assertThat(intelAlerts(readerAdmin, 2)).as("RED is not for a mere reader").isEmpty();
    assertThat(intelAlerts(readerAdmin, 3)).as("expired before the event").isEmpty();
    assertThat(intelAlerts(outsiderAdmin, 1)).as("no grant, no intel").isEmpty();

    // naming exchange-b a recipient of the RED indicator makes it match there
    long red =
        app.stix().after(collection, 0, 10).stream()
            .filter(s -> s.id().endsWith("000000000002"))
            .findFirst()
            .orElseThrow()
            .seq();
    app.stix().addRecipients(red, Set.of(app.tokens().organisation("exchange-b").id()));
    app.stixIntel().refresh();
    assertThat(intelAlerts(readerAdmin, 2)).hasSize(1);

    // a revoked version stops it matching; an older version arriving later changes nothing
    assertThat(intelAlerts(readerAdmin, 4)).as("GREEN matches before the revocation").hasSize(1);
    post(
        objects(),
        envelope(
            List.of(
                walletIndicator(4, "2026-11-26T10:00:00.000Z", "TLP:GREEN", ",\"revoked\":true"))),
        producer);
    await(() -> app.stixIntel().size(app.tokens().organisation("exchange-b").id()) == 3);
    assertThat(intelAlerts(readerAdmin, 4)).as("no new alert once revoked").hasSize(1);
    post(
        objects(),
        envelope(List.of(walletIndicator(4, "2026-11-26T09:30:00.000Z", "TLP:GREEN", ""))),
        producer);
    app.stixIntel().refresh();
    assertThat(intelAlerts(readerAdmin, 4)).as("an older version does not revive it").hasSize(1);

    // taking the grant away takes the intel away
    app.stix().grant(collection, app.tokens().organisation("exchange-b").id(), false, false);
    app.stixIntel().refresh();
    assertThat(app.stixIntel().size(app.tokens().organisation("exchange-b").id())).isZero();
  }

  private static void await(java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
    while (!condition.getAsBoolean()) {
      assertThat(Instant.now()).as("condition reached in time").isBefore(deadline);
      Thread.sleep(20);
    }
  }

  @Test
  void rulesAndDocumentsArePublishedAndASubscriberGetsDisabledDrafts() throws Exception {
    String aAdmin = app.tokens().create("exchange-a", Role.ADMIN, null).token();
    String bAdmin = app.tokens().create("exchange-b", Role.ADMIN, null).token();
    String rule =
        """
        id: peer.drainer-approval
        title: Approval to a known drainer spender
        severity: high
        match:
          where: e.type == "chain.approval" && e.attrs.spender == "0x00000000000000000000000000000000000dead1"
        """;
    Reply put =
        send(
            HttpRequest.newBuilder(uri("/api/v1/rules/peer.drainer-approval"))
                .header("Content-Type", "application/yaml")
                .PUT(HttpRequest.BodyPublishers.ofString(rule)),
            aAdmin);
    assertThat(put.status()).as(put.raw().body()).isLessThan(300);
    Reply published =
        send(
            HttpRequest.newBuilder(uri("/api/v1/rules/peer.drainer-approval/publish"))
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"collection\":\"crypto\",\"tlp\":\"green\"}")),
            aAdmin);
    assertThat(published.status()).as(published.raw().body()).isEqualTo(201);
    Reply note =
        send(
            HttpRequest.newBuilder(uri("/api/v1/intel/documents"))
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"kind\":\"note\",\"title\":\"Hot wallet hygiene\",\"content\":\"Rotate signing keys monthly.\",\"collection\":\"crypto\"}")),
            producer);
    assertThat(note.status()).as(note.raw().body()).isEqualTo(201);
    for (String kind : List.of("report", "sigma")) {
      Reply doc =
          send(
              HttpRequest.newBuilder(uri("/api/v1/intel/documents"))
                  .header("Content-Type", "application/json")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"kind\":\"%s\",\"title\":\"t\",\"content\":\"title: x\\nlogsource: {product: web}\\ndetection: {sel: {a: 1}, condition: sel}\",\"collection\":\"crypto\",\"labels\":[\"ops\"]}"
                              .formatted(kind))),
              producer);
      assertThat(doc.status()).as(doc.raw().body()).isEqualTo(201);
    }
    Reply bad =
        send(
            HttpRequest.newBuilder(uri("/api/v1/intel/documents"))
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"kind\":\"poem\",\"collection\":\"crypto\",\"tlp\":\"pink\"}")),
            producer);
    assertThat(bad.status()).isEqualTo(422);
    List<String> where = new ArrayList<>();
    bad.body().get("errors").forEach(e -> where.add(e.get("location").asText()));
    assertThat(where).containsExactlyInAnyOrder("$.kind", "$.title", "$.content", "$.tlp");

    JsonNode all = get(objects() + "?match%5Btype%5D=indicator,note,report", reader).body();
    assertThat(all.toString())
        .contains("\"pattern_type\":\"bulwark-rule\"")
        .contains("\"pattern_type\":\"sigma\"")
        .contains("Rotate signing keys monthly.");

    // exchange-b subscribes: the rule arrives as a disabled draft, and nothing runs it
    Reply sub =
        send(
            HttpRequest.newBuilder(uri("/api/v1/intel/subscriptions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"collection\":\"crypto\"}")),
            bAdmin);
    assertThat(sub.status()).isEqualTo(201);
    await(
        () -> {
          try {
            return get("/api/v1/rules/peer.drainer-approval", bAdmin).status() == 200;
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
    JsonNode draft = get("/api/v1/rules/peer.drainer-approval", bAdmin).body();
    assertThat(draft.get("enabled").asBoolean()).as("a draft for review").isFalse();
    assertThat(get("/api/v1/rules/peer.drainer-approval", outsider).status())
        .as("no subscription, no draft")
        .isEqualTo(404);
  }

  private String firstCursor() throws Exception {
    return get(objects() + "?limit=1", reader).body().get("next").asText();
  }
}
