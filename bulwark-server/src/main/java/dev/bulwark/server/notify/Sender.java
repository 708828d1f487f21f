package dev.bulwark.server.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.engine.BulwarkException;
import dev.bulwark.engine.detect.Alert;
import dev.bulwark.engine.detect.AlertJson;
import dev.bulwark.server.config.Secret;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.PasswordAuthentication;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Properties;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Sends one delivery over its notifier's channel; a failure is an exception saying why. */
final class Sender {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http;
  private final Duration timeout;
  private final UrlGuard guard;
  private final Clock clock;
  private final String userAgent;

  Sender(Duration timeout, UrlGuard guard, Clock clock, String version) {
    this.timeout = timeout;
    this.guard = guard;
    this.clock = clock;
    this.userAgent = "Bulwark/" + version;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(timeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  /** The delivery could not be made; the message is safe to store and log (no secrets). */
  static final class DeliveryException extends BulwarkException {
    DeliveryException(String message) {
      super(message);
    }
  }

  void send(Notifier n, NotifierStore.Delivery d) {
    Alert alert = AlertJson.read(d.body());
    if (n.channel() instanceof Channel.Webhook w) {
      guard.check(w.url());
      byte[] body = webhookBody(d, alert);
      String timestamp = Long.toString(clock.instant().getEpochSecond());
      HttpRequest.Builder r =
          HttpRequest.newBuilder(w.url())
              .timeout(timeout)
              .header("Content-Type", "application/json")
              .header("User-Agent", userAgent)
              .header("X-Bulwark-Delivery", Long.toString(d.id()))
              .header("X-Bulwark-Timestamp", timestamp)
              .POST(HttpRequest.BodyPublishers.ofByteArray(body));
      n.secret()
          .ifPresent(s -> r.header("X-Bulwark-Signature", "sha256=" + sign(s, timestamp, body)));
      post(r.build());
    } else if (n.channel() instanceof Channel.Slack s) {
      guard.check(s.url());
      ObjectNode msg = JSON.createObjectNode();
      msg.put("text", slackText(alert));
      post(
          HttpRequest.newBuilder(s.url())
              .timeout(timeout)
              .header("Content-Type", "application/json")
              .header("User-Agent", userAgent)
              .POST(HttpRequest.BodyPublishers.ofString(msg.toString()))
              .build());
    } else if (n.channel() instanceof Channel.Email e) {
      email(e, n.secret().orElse(null), alert);
    }
  }

  /**
   * HMAC-SHA256 over {@code timestamp + "." + body} with the notifier's secret, hex encoded. A
   * receiver recomputes it, compares in constant time, and rejects stale timestamps (replays).
   */
  static String sign(Secret secret, String timestamp, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.reveal().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      mac.update(timestamp.getBytes(StandardCharsets.UTF_8));
      mac.update((byte) '.');
      return HexFormat.of().formatHex(mac.doFinal(body));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }

  private static byte[] webhookBody(NotifierStore.Delivery d, Alert alert) {
    ObjectNode o = JSON.createObjectNode();
    o.put("type", "alert");
    o.put("delivery_id", d.id());
    try {
      JsonNode a = JSON.readTree(AlertJson.write(alert));
      o.set("alert", a);
      return JSON.writeValueAsBytes(o);
    } catch (IOException e) {
      throw new DeliveryException("could not build the body: " + e.getMessage());
    }
  }

  private void post(HttpRequest request) {
    try {
      HttpResponse<Void> r = http.send(request, HttpResponse.BodyHandlers.discarding());
      if (r.statusCode() / 100 != 2) {
        throw new DeliveryException("the receiver answered HTTP " + r.statusCode());
      }
    } catch (java.net.http.HttpTimeoutException e) {
      throw new DeliveryException(
          "the receiver did not answer within " + timeout.toSeconds() + "s");
    } catch (IOException e) {
      throw new DeliveryException("could not reach the receiver: " + e.getClass().getSimpleName());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DeliveryException("interrupted");
    }
  }

  static String slackText(Alert a) {
    return "*[%s] %s*\n%s\nrule `%s` · %s · alert `%s`"
        .formatted(
            a.severity().label().toUpperCase(java.util.Locale.ROOT),
            a.title(),
            a.summary(),
            a.rule(),
            a.time(),
            a.id());
  }

  private void email(Channel.Email e, Secret password, Alert a) {
    Properties p = new Properties();
    p.put("mail.smtp.host", e.host());
    p.put("mail.smtp.port", Integer.toString(e.port()));
    p.put("mail.smtp.connectiontimeout", Long.toString(timeout.toMillis()));
    p.put("mail.smtp.timeout", Long.toString(timeout.toMillis()));
    p.put("mail.smtp.writetimeout", Long.toString(timeout.toMillis()));
    p.put("mail.smtp.starttls.enable", Boolean.toString(e.starttls()));
    p.put("mail.smtp.starttls.required", Boolean.toString(e.starttls()));
    boolean auth = e.username() != null && password != null;
    p.put("mail.smtp.auth", Boolean.toString(auth));
    Session session =
        auth
            ? Session.getInstance(
                p,
                new jakarta.mail.Authenticator() {
                  @Override
                  protected PasswordAuthentication getPasswordAuthentication() {
                    return new PasswordAuthentication(e.username(), password.reveal());
                  }
                })
            : Session.getInstance(p);
    try {
      MimeMessage m = new MimeMessage(session);
      m.setFrom(new InternetAddress(e.from()));
      for (String to : e.to()) {
        m.addRecipient(Message.RecipientType.TO, new InternetAddress(to));
      }
      m.setSubject(
          "[Bulwark %s] %s"
              .formatted(a.severity().label().toUpperCase(java.util.Locale.ROOT), a.title()),
          "UTF-8");
      String entities =
          a.entities().stream()
              .map(x -> "  %s %s (%s)".formatted(x.kind().label(), x.value(), x.role().label()))
              .collect(Collectors.joining("\n"));
      m.setText(
          "%s%n%nRule: %s%nSeverity: %s%nTime: %s%nAlert: %s%nEntities:%n%s%nEvidence: %s%n"
              .formatted(
                  a.summary(),
                  a.rule(),
                  a.severity().label(),
                  a.time(),
                  a.id(),
                  entities,
                  a.evidence().eventIds()),
          "UTF-8");
      Transport.send(m);
    } catch (MessagingException ex) {
      throw new DeliveryException(
          "SMTP delivery failed: " + ex.getClass().getSimpleName() + ": " + ex.getMessage());
    }
  }
}
