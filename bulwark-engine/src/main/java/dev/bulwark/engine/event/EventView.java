package dev.bulwark.engine.event;

import java.util.AbstractMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A read-only map view of an event for rule conditions and templates. Lookups go straight to the
 * record's fields, so evaluating many rules on one event allocates no per-rule copy.
 */
final class EventView extends AbstractMap<String, Object> {
  private final Event e;
  private Set<Entry<String, Object>> entries;

  EventView(Event e) {
    this.e = e;
  }

  @Override
  public Object get(Object key) {
    return key instanceof String name ? e.field(name) : null;
  }

  @Override
  public boolean containsKey(Object key) {
    return get(key) != null;
  }

  @Override
  public Set<Entry<String, Object>> entrySet() {
    if (entries == null) {
      Map<String, Object> copy = new LinkedHashMap<>();
      for (String name : EventFields.ALL) {
        Object v = get(name);
        if (v != null) {
          copy.put(name, v);
        }
      }
      entries = copy.entrySet();
    }
    return entries;
  }
}
