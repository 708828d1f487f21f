package dev.bulwark.engine.pack;

import dev.bulwark.engine.detect.Alert;
import dev.bulwark.engine.detect.Detector;
import dev.bulwark.engine.detect.Entity;
import dev.bulwark.engine.detect.Severity;
import dev.bulwark.engine.detect.State;
import dev.bulwark.engine.event.Event;
import java.text.Normalizer;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Fake tokens: an ERC-20 transfer of a token whose symbol reads as a well-known one (USDT, USDC,
 * DAI, WETH, WBTC) — directly, or through Unicode look-alikes such as mathematical bold letters
 * ("𝐔𝐒𝐃𝐂") or Cyrillic and Greek letters that look Latin — but whose contract is not that
 * token's. Address poisoners send them so a fake "USDT" transfer sits in the victim's history. The
 * symbol comes from the token's {@code symbol()} ({@code attrs.symbol}); the official contracts are
 * those of Ethereum mainnet.
 */
public final class FakeToken implements Detector {
  public static final String ID = "chain.fake-token";

  /** Chain → symbol → official contract (lower case): Ethereum mainnet's, plus the configured. */
  private final Map<String, Map<String, String>> official;

  public FakeToken() {
    this(Map.of());
  }

  /**
   * With more official contracts: chain (CAIP-2) → symbol → contract, e.g. an L2's USDC (the
   * network's {@code official_tokens:}); an entry replaces the built-in one of the same chain and
   * symbol.
   */
  public FakeToken(Map<String, Map<String, String>> more) {
    Map<String, Map<String, String>> all = new java.util.HashMap<>();
    OFFICIAL.forEach((chain, tokens) -> all.put(chain, new java.util.HashMap<>(tokens)));
    more.forEach(
        (chain, tokens) ->
            tokens.forEach(
                (symbol, contract) ->
                    all.computeIfAbsent(chain, c -> new java.util.HashMap<>())
                        .put(
                            symbol.toUpperCase(java.util.Locale.ROOT),
                            contract.toLowerCase(java.util.Locale.ROOT))));
    all.replaceAll((chain, tokens) -> Map.copyOf(tokens));
    this.official = Map.copyOf(all);
  }

  /** Official contracts of the imitated symbols, per chain. */
  private static final Map<String, Map<String, String>> OFFICIAL =
      Map.of(
          "eip155:1",
          Map.of(
              "USDT", "0xdac17f958d2ee523a2206206994597c13d831ec7",
              "USDC", "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48",
              "DAI", "0x6b175474e89094c44da98b954eedeac495271d0f",
              "WETH", "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2",
              "WBTC", "0x2260fac5e5542a773aa44fbcfedf7c193bc2c599"));

  /** Letters of other scripts that render like Latin capitals. */
  private static final Map<Character, Character> CONFUSABLE =
      Map.ofEntries(
          Map.entry('А', 'A'),
          Map.entry('В', 'B'),
          Map.entry('С', 'C'),
          Map.entry('Е', 'E'),
          Map.entry('Н', 'H'),
          Map.entry('І', 'I'),
          Map.entry('К', 'K'),
          Map.entry('М', 'M'),
          Map.entry('О', 'O'),
          Map.entry('Р', 'P'),
          Map.entry('Ѕ', 'S'),
          Map.entry('Т', 'T'),
          Map.entry('Х', 'X'),
          Map.entry('У', 'Y'),
          Map.entry('Ԁ', 'D'),
          Map.entry('Α', 'A'),
          Map.entry('Β', 'B'),
          Map.entry('Ε', 'E'),
          Map.entry('Η', 'H'),
          Map.entry('Ι', 'I'),
          Map.entry('Κ', 'K'),
          Map.entry('Μ', 'M'),
          Map.entry('Ν', 'N'),
          Map.entry('Ο', 'O'),
          Map.entry('Ρ', 'P'),
          Map.entry('Τ', 'T'),
          Map.entry('Χ', 'X'),
          Map.entry('Υ', 'Y'),
          Map.entry('Ζ', 'Z'),
          Map.entry('а', 'A'),
          Map.entry('с', 'C'),
          Map.entry('е', 'E'),
          Map.entry('о', 'O'),
          Map.entry('р', 'P'),
          Map.entry('ѕ', 'S'),
          Map.entry('т', 'T'),
          Map.entry('х', 'X'),
          Map.entry('у', 'Y'),
          Map.entry('ԁ', 'D'));

  @Override
  public String id() {
    return ID;
  }

  @Override
  public Set<String> eventTypes() {
    return Set.of("chain.transfer");
  }

  @Override
  public List<Alert> inspect(Event e, State state) {
    if (!(e.attrs().get("symbol") instanceof String symbol)
        || Pack.context(e)
        || e.asset() == null
        || e.chain() == null) {
      return List.of();
    }
    Map<String, String> tokens = official.get(e.chain());
    if (tokens == null) {
      return List.of();
    }
    String reads = skeleton(symbol);
    String contract = tokens.get(reads);
    if (contract == null || contract.equalsIgnoreCase(e.asset())) {
      return List.of();
    }
    boolean lookAlike = !symbol.equals(reads);
    String dedup = ID + "|" + e.id();
    return List.of(
        new Alert(
            Alert.idFor(dedup),
            ID,
            Severity.MEDIUM,
            "Fake %s: token %s calls itself \"%s\"".formatted(reads, e.asset(), symbol),
            "%s sent %s units of %s, a token whose symbol %s %s but which is not the official %s (%s): a fake-token transfer, often address poisoning."
                .formatted(
                    e.from(),
                    e.amount(),
                    e.asset(),
                    lookAlike ? "\"" + symbol + "\" looks like" : "is",
                    reads,
                    reads,
                    contract),
            e.time(),
            List.of(
                new Entity(Entity.Kind.CONTRACT, e.asset(), Entity.Role.ATTACKER),
                new Entity(
                    Entity.Kind.ADDRESS, e.to() == null ? e.asset() : e.to(), Entity.Role.VICTIM)),
            Alert.Evidence.of(e),
            List.of("phishing", "address-poisoning", "fake-token"),
            Severity.MEDIUM.defaultScore(),
            dedup));
  }

  /** What a symbol reads as: compatibility-normalised, look-alike letters mapped, upper case. */
  static String skeleton(String symbol) {
    String n = Normalizer.normalize(symbol, Normalizer.Form.NFKC);
    StringBuilder out = new StringBuilder(n.length());
    for (int i = 0; i < n.length(); i++) {
      char c = n.charAt(i);
      out.append(CONFUSABLE.getOrDefault(c, c));
    }
    return out.toString().strip().toUpperCase(Locale.ROOT);
  }
}
