package dev.bulwark.engine.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

final class AddressTest {
  // The test vectors of EIP-55 itself.
  @ParameterizedTest
  @ValueSource(
      strings = {
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
        "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb"
      })
  void lowerCaseInputIsPrintedWithTheEip55Checksum(String checksummed) {
    Address a = Address.parse(checksummed.toLowerCase(Locale.ROOT));
    assertThat(a.checksummed()).isEqualTo(checksummed);
    assertThat(Address.parse(checksummed)).isEqualTo(a);
  }

  @Test
  void mixedCaseWithWrongChecksumIsRejectedAsATypo() {
    assertThatThrownBy(() -> Address.parse("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"))
        .hasMessageContaining("EIP-55 checksum");
  }

  @Test
  void wrongLengthIsRejected() {
    assertThatThrownBy(() -> Address.parse("0x1234")).hasMessageContaining("40 hex digits");
  }
}
