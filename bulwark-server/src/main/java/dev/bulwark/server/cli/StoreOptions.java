package dev.bulwark.server.cli;

import dev.bulwark.server.config.Config;
import dev.bulwark.server.config.ConfigLoader;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/** Options of every command that reads the config and may touch the local store. */
final class StoreOptions {
  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "config file (default: ./bulwark.yml if present)")
  Path config;

  @Option(
      names = "--data",
      paramLabel = "DIR",
      description = "directory of the embedded H2 database (default: ./data)")
  Path data;

  @Option(
      names = "--db",
      paramLabel = "URL",
      description = "JDBC URL, e.g. jdbc:postgresql://host/bulwark; overrides --data")
  String db;

  /** Flags as config key paths, for the loader; the caller adds its own. */
  Map<String, String> flags() {
    Map<String, String> f = new LinkedHashMap<>();
    if (data != null) {
      f.put("storage.data_dir", data.toString());
    }
    if (db != null) {
      f.put("storage.url", db);
    }
    return f;
  }

  ConfigLoader.Loaded load(Map<String, String> extra) {
    Map<String, String> flags = flags();
    flags.putAll(extra);
    return new ConfigLoader(System.getenv()).load(Optional.ofNullable(config), flags);
  }

  Config config() {
    return load(Map.of()).config();
  }
}
