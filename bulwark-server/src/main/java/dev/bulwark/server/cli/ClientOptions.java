package dev.bulwark.server.cli;

import dev.bulwark.server.config.Config;
import picocli.CommandLine.Option;

/** Where a client command finds the server, and with which token. */
final class ClientOptions {
  @Option(
      names = "--server",
      paramLabel = "URL",
      description = "server URL (default: $BULWARK_URL, else the configured host and port)")
  String server;

  @Option(
      names = "--token",
      paramLabel = "TOKEN",
      description = "API token (default: $BULWARK_TOKEN)")
  String token;

  ApiClient client(Config config) {
    String url = server != null ? server : System.getenv("BULWARK_URL");
    if (url == null) {
      String host =
          config.server().host().contains(":")
              ? "[" + config.server().host() + "]"
              : config.server().host();
      url = "http://" + host + ":" + config.server().port();
    }
    return new ApiClient(url, token != null ? token : System.getenv("BULWARK_TOKEN"));
  }
}
