package dev.bulwark.engine.intel;

import dev.bulwark.engine.Problem;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * Reads the OFAC SDN "advanced" XML (the list's full form) in one streaming pass: every digital
 * currency address feature ({@code FeatureType} "Digital Currency Address - <asset>"), the name of
 * the party it belongs to (its primary alias), and the programmes and designation date of that
 * party's sanctions entry. A 120 MB file is read without holding it in memory; DTDs and external
 * entities are refused.
 */
final class OfacXml {
  private static final String FEATURE_PREFIX = "Digital Currency Address - ";

  private OfacXml() {}

  /** One listed address: the asset tag as OFAC writes it, and the party it belongs to. */
  record Listed(String address, String asset, String profile) {}

  /** One sanctioned party: its primary name, programmes and the date it was designated. */
  record Party(String name, Set<String> programmes, String designated) {}

  record Result(List<Listed> addresses, Map<String, Party> parties, String issued) {}

  static Result read(InputStream in, List<Problem> problems) {
    XMLInputFactory f = XMLInputFactory.newFactory();
    f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
    f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
    f.setProperty(XMLInputFactory.IS_COALESCING, true);
    Map<String, String> assetByType = new HashMap<>();
    List<Listed> listed = new ArrayList<>();
    Map<String, String> names = new HashMap<>();
    Map<String, Set<String>> programmes = new HashMap<>();
    Map<String, String> designated = new HashMap<>();
    StringBuilder issued = new StringBuilder();
    XMLStreamReader x = null;
    try {
      x = f.createXMLStreamReader(in, "UTF-8");
      String featureTypeId = null;
      String profile = null;
      boolean primaryAlias = false;
      String featureAsset = null;
      String entryProfile = null;
      boolean inIssue = false;
      boolean inEntryEvent = false;
      int[] date = new int[3];
      StringBuilder name = null;
      boolean seenRoot = false;
      while (x.hasNext()) {
        int event = x.next();
        if (event == XMLStreamConstants.START_ELEMENT) {
          String tag = x.getLocalName();
          if (!seenRoot) {
            seenRoot = true;
            if (!tag.equals("Sanctions")) {
              problems.add(
                  new Problem(
                      "line " + x.getLocation().getLineNumber(),
                      "expected the OFAC SDN advanced XML (<Sanctions>), found <" + tag + ">"));
              return new Result(List.of(), Map.of(), "");
            }
          }
          switch (tag) {
            case "DateOfIssue" -> inIssue = true;
            case "FeatureType" -> featureTypeId = x.getAttributeValue(null, "ID");
            case "Profile" -> profile = x.getAttributeValue(null, "ID");
            case "Alias" -> {
              primaryAlias = "true".equals(x.getAttributeValue(null, "Primary"));
              if (primaryAlias && profile != null && !names.containsKey(profile)) {
                name = new StringBuilder();
              }
            }
            case "NamePartValue" -> {
              if (name != null) {
                String part = x.getElementText().trim();
                if (!part.isEmpty()) {
                  name.append(name.isEmpty() ? "" : " ").append(part);
                }
              }
            }
            case "Feature" ->
                featureAsset = assetByType.get(x.getAttributeValue(null, "FeatureTypeID"));
            case "VersionDetail" -> {
              if (featureAsset != null && profile != null) {
                String address = x.getElementText().trim();
                if (!address.isEmpty()) {
                  listed.add(new Listed(address, featureAsset, profile));
                }
              }
            }
            case "SanctionsEntry" -> entryProfile = x.getAttributeValue(null, "ProfileID");
            case "EntryEvent" -> inEntryEvent = true;
            case "Year", "Month", "Day" -> {
              if (inIssue || inEntryEvent) {
                String text = x.getElementText().trim();
                int i = tag.equals("Year") ? 0 : tag.equals("Month") ? 1 : 2;
                try {
                  date[i] = Integer.parseInt(text);
                } catch (NumberFormatException e) {
                  date[i] = 0;
                }
              }
            }
            case "Comment" -> {
              if (entryProfile != null && !inEntryEvent) {
                String text = x.getElementText().trim();
                if (!text.isEmpty()) {
                  programmes.computeIfAbsent(entryProfile, k -> new LinkedHashSet<>()).add(text);
                }
              }
            }
            default -> {}
          }
        } else if (event == XMLStreamConstants.CHARACTERS && featureTypeId != null) {
          String text = x.getText().trim();
          if (text.startsWith(FEATURE_PREFIX)) {
            assetByType.put(featureTypeId, text.substring(FEATURE_PREFIX.length()).trim());
          }
        } else if (event == XMLStreamConstants.END_ELEMENT) {
          switch (x.getLocalName()) {
            case "FeatureType" -> featureTypeId = null;
            case "DistinctParty" -> profile = null;
            case "Alias" -> {
              if (name != null && !name.isEmpty() && profile != null) {
                names.putIfAbsent(profile, name.toString());
              }
              name = null;
              primaryAlias = false;
            }
            case "Feature" -> featureAsset = null;
            case "DateOfIssue" -> {
              inIssue = false;
              issued.append("%04d-%02d-%02d".formatted(date[0], date[1], date[2]));
            }
            case "EntryEvent" -> {
              inEntryEvent = false;
              if (entryProfile != null) {
                designated.putIfAbsent(
                    entryProfile, "%04d-%02d-%02d".formatted(date[0], date[1], date[2]));
              }
            }
            case "SanctionsEntry" -> entryProfile = null;
            default -> {}
          }
        }
      }
    } catch (XMLStreamException e) {
      problems.add(
          new Problem(
              e.getLocation() == null
                  ? "$"
                  : "line %d, column %d"
                      .formatted(
                          e.getLocation().getLineNumber(), e.getLocation().getColumnNumber()),
              "not well-formed XML: "
                  + e.getMessage().replaceAll("^ParseError at \\[.*?]\\s*Message: ", "")));
      return new Result(List.of(), Map.of(), "");
    } finally {
      if (x != null) {
        try {
          x.close();
        } catch (XMLStreamException e) {
          // closing a reader over a stream the caller closes
        }
      }
    }
    if (assetByType.isEmpty()) {
      problems.add(
          new Problem(
              "$", "no 'Digital Currency Address' feature types: is this the SDN advanced XML?"));
    }
    Map<String, Party> parties = new LinkedHashMap<>();
    for (Listed l : listed) {
      parties.computeIfAbsent(
          l.profile(),
          p ->
              new Party(
                  names.getOrDefault(p, "SDN profile " + p),
                  programmes.getOrDefault(p, Set.of()),
                  designated.get(p)));
    }
    return new Result(listed, parties, issued.toString());
  }
}
