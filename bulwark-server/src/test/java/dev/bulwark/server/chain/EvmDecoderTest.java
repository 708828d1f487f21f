package dev.bulwark.server.chain;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.web3j.crypto.Hash;

/** The event topics the decoder recognises are the Keccak-256 of their signatures. */
final class EvmDecoderTest {
  @Test
  void topicsAreTheHashesOfTheirSignatures() {
    assertThat(EvmDecoder.TRANSFER).isEqualTo(Hash.sha3String("Transfer(address,address,uint256)"));
    assertThat(EvmDecoder.APPROVAL).isEqualTo(Hash.sha3String("Approval(address,address,uint256)"));
    assertThat(EvmDecoder.APPROVAL_FOR_ALL)
        .isEqualTo(Hash.sha3String("ApprovalForAll(address,address,bool)"));
  }
}
