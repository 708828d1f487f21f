package dev.bulwark.server.chain;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A map that keeps its {@code capacity} most recently used entries: the chain source's memory of
 * token metadata, spenders and prices. Not thread-safe; callers lock.
 */
final class Lru<K, V> extends LinkedHashMap<K, V> {
  private final int capacity;

  Lru(int capacity) {
    super(256, 0.75f, true);
    this.capacity = capacity;
  }

  @Override
  protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
    return size() > capacity;
  }
}
