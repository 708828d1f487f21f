package dev.bulwark.engine.rule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.engine.event.Event;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

final class TemplateTest {
  private static final String USDT = "0xdac17f958d2ee523a2206206994597c13d831ec7";

  private static String render(String text, BigDecimal amount, Map<String, Object> attrs) {
    Event e =
        new Event(
            "e1",
            "chain.transfer",
            Instant.parse("2026-11-26T06:00:00Z"),
            null,
            null,
            null,
            null,
            "eip155:1",
            USDT,
            amount,
            null,
            null,
            null,
            null,
            attrs);
    Template.Parsed parsed = Template.parse(text, Set.of(), false);
    assertThat(parsed.error()).isNull();
    return parsed.template().render(e);
  }

  @Test
  void amountUnitsReadsDecimalsAndSymbol() {
    assertThat(
            render(
                "{{e.amount_units}}",
                new BigDecimal("1500000000000"),
                Map.of("decimals", 6L, "symbol", "USDT")))
        .isEqualTo("1500000 USDT");
    assertThat(render("{{e.amount_units}}", new BigDecimal("1234500"), Map.of("decimals", 6L)))
        .isEqualTo("1.2345 " + USDT);
    assertThat(render("{{e.amount_units}}", new BigDecimal("1500000000000"), Map.of()))
        .as("without decimals the raw amount says so")
        .isEqualTo("1500000000000 raw units of " + USDT);
    assertThat(render("{{e.amount_units}}", null, Map.of())).isEqualTo("?");
  }
}
