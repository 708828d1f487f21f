package dev.bulwark.server.chain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.engine.event.Event;
import dev.bulwark.engine.event.EventJson;
import dev.bulwark.engine.event.EventParser;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.web3j.crypto.Hash;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * Topics verified against their published values; catalogued logs decoded from synthetic receipts.
 */
final class EvmDecoderTest {
  private static final String POOL = "0x" + "1".repeat(40);
  private static final String ALICE = "0x" + "a".repeat(40);
  private static final String BOB = "0x" + "b".repeat(40);

  @Test
  void transferAndApprovalTopicsAreTheHashesOfTheirSignatures() {
    assertThat(EvmDecoder.TRANSFER).isEqualTo(Hash.sha3String("Transfer(address,address,uint256)"));
    assertThat(EvmDecoder.APPROVAL).isEqualTo(Hash.sha3String("Approval(address,address,uint256)"));
    assertThat(EvmDecoder.APPROVAL_FOR_ALL)
        .isEqualTo(Hash.sha3String("ApprovalForAll(address,address,bool)"));
    assertThat(EvmDecoder.TRANSFER_SINGLE)
        .isEqualTo(Hash.sha3String("TransferSingle(address,address,address,uint256,uint256)"));
    assertThat(EvmDecoder.TRANSFER_BATCH)
        .isEqualTo(Hash.sha3String("TransferBatch(address,address,address,uint256[],uint256[])"));
  }

  @Test
  void permitSelectorsAreThePublishedOnes() {
    // onchain-anchors §3: EIP-2612 permit 0xd505accf, DAI permit 0x8fcbaf0c
    assertThat(Hash.sha3String("permit(address,address,uint256,uint256,uint8,bytes32,bytes32)"))
        .startsWith(Permits.EIP2612)
        .startsWith("0xd505accf");
    assertThat(
            Hash.sha3String("permit(address,address,uint256,uint256,bool,uint8,bytes32,bytes32)"))
        .startsWith(Permits.DAI)
        .startsWith("0x8fcbaf0c");
  }

  private static final String TOKEN = "0x" + "7".repeat(40);

  private static String permitCall(String name, org.web3j.abi.datatypes.Type<?>... args) {
    return org.web3j.abi.FunctionEncoder.encode(
        new org.web3j.abi.datatypes.Function(name, List.of(args), List.of()));
  }

  @Test
  void anEip2612PermitCallIsAnApprovalByTheSignerSubmittedBySomeoneElse() {
    String input =
        permitCall(
            "permit",
            new org.web3j.abi.datatypes.Address(ALICE),
            new org.web3j.abi.datatypes.Address(BOB),
            new org.web3j.abi.datatypes.generated.Uint256(BigInteger.valueOf(5_000_000)),
            new org.web3j.abi.datatypes.generated.Uint256(1_900_000_000L),
            new org.web3j.abi.datatypes.generated.Uint8(27),
            new org.web3j.abi.datatypes.generated.Bytes32(new byte[32]),
            new org.web3j.abi.datatypes.generated.Bytes32(new byte[32]));
    Event permit = decode(null, List.of(), "0x", input).get(0);
    assertThat(permit.type()).isEqualTo("chain.approval");
    assertThat(permit.id()).isEqualTo("eip155:1:16:dddddddd:0:permit");
    assertThat(permit.from()).as("the holder who signed").isEqualToIgnoringCase(ALICE);
    assertThat(permit.to()).as("the spender").isEqualToIgnoringCase(BOB);
    assertThat(permit.asset()).as("the called token").isEqualToIgnoringCase(POOL);
    assertThat(permit.amount()).isEqualByComparingTo("5000000");
    assertThat(permit.attrs())
        .containsEntry("kind", "permit")
        .containsEntry("unlimited", false)
        .containsEntry("deadline", 1_900_000_000L)
        .containsEntry("submitter", dev.bulwark.engine.event.Address.parse(ALICE).checksummed());
  }

  @Test
  void aDaiPermitWithAllowedTrueIsUnlimitedAndExpiryZeroNeverExpires() {
    String input =
        permitCall(
            "permit",
            new org.web3j.abi.datatypes.Address(BOB),
            new org.web3j.abi.datatypes.Address(ALICE),
            new org.web3j.abi.datatypes.generated.Uint256(3),
            new org.web3j.abi.datatypes.generated.Uint256(0),
            new org.web3j.abi.datatypes.Bool(true),
            new org.web3j.abi.datatypes.generated.Uint8(28),
            new org.web3j.abi.datatypes.generated.Bytes32(new byte[32]),
            new org.web3j.abi.datatypes.generated.Bytes32(new byte[32]));
    Event permit = decode(null, List.of(), "0x", input).get(0);
    assertThat(permit.attrs())
        .containsEntry("kind", "dai_permit")
        .containsEntry("unlimited", true)
        .doesNotContainKey("deadline");
    assertThat(permit.from()).isEqualToIgnoringCase(BOB);
    assertThat(permit.to()).isEqualToIgnoringCase(ALICE);
  }

  @Test
  void aTruncatedPermitCallIsNotAPermit() {
    String input =
        permitCall(
            "permit",
            new org.web3j.abi.datatypes.Address(ALICE),
            new org.web3j.abi.datatypes.Address(BOB),
            new org.web3j.abi.datatypes.generated.Uint256(1),
            new org.web3j.abi.datatypes.generated.Uint256(1),
            new org.web3j.abi.datatypes.generated.Uint8(27),
            new org.web3j.abi.datatypes.generated.Bytes32(new byte[32]),
            new org.web3j.abi.datatypes.generated.Bytes32(new byte[32]));
    assertThat(decode(null, List.of(), "0x", input.substring(0, input.length() - 64))).isEmpty();
  }

  @Test
  void aPermit2PermitLogIsAnApprovalOfTheTokenToTheSpender() {
    String max160 = BigInteger.TWO.pow(160).subtract(BigInteger.ONE).toString(16);
    Event e =
        decode(
                Hash.sha3String("Permit(address,address,address,uint160,uint48,uint48)"),
                List.of(topicOf(ALICE), topicOf(TOKEN), topicOf(BOB)),
                "0x" + word(max160) + word("70000000") + word("2"))
            .get(0);
    assertThat(e.type()).isEqualTo("chain.approval");
    assertThat(e.from()).isEqualToIgnoringCase(ALICE);
    assertThat(e.to()).isEqualToIgnoringCase(BOB);
    assertThat(e.asset()).isEqualToIgnoringCase(TOKEN);
    assertThat(e.attrs())
        .containsEntry("kind", "permit2_permit")
        .containsEntry("unlimited", true)
        .containsEntry("expiration", (long) 0x70000000);
  }

  @Test
  void anErc1155BatchIsOneTransferPerTokenId() {
    String data =
        org.web3j.abi.FunctionEncoder.encodeConstructor(
            List.of(
                new org.web3j.abi.datatypes.DynamicArray<>(
                    org.web3j.abi.datatypes.generated.Uint256.class,
                    new org.web3j.abi.datatypes.generated.Uint256(1),
                    new org.web3j.abi.datatypes.generated.Uint256(42)),
                new org.web3j.abi.datatypes.DynamicArray<>(
                    org.web3j.abi.datatypes.generated.Uint256.class,
                    new org.web3j.abi.datatypes.generated.Uint256(10),
                    new org.web3j.abi.datatypes.generated.Uint256(20))));
    List<Event> events =
        decode(
            EvmDecoder.TRANSFER_BATCH,
            List.of(topicOf(POOL), topicOf(ALICE), topicOf(BOB)),
            "0x" + data);
    assertThat(events)
        .extracting(Event::id, e -> e.attrs().get("token_id"), e -> e.amount().intValueExact())
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("eip155:1:16:dddddddd:0:log:3:0", "1", 10),
            org.assertj.core.groups.Tuple.tuple("eip155:1:16:dddddddd:0:log:3:1", "42", 20));
    assertThat(events).allSatisfy(e -> assertThat(e.from()).isEqualToIgnoringCase(ALICE));
    // a values offset pointing past the data: nothing rather than a guess
    String uneven = data.substring(0, 64) + word("c0") + data.substring(128);
    assertThat(
            decode(
                EvmDecoder.TRANSFER_BATCH,
                List.of(topicOf(POOL), topicOf(ALICE), topicOf(BOB)),
                "0x" + uneven))
        .isEmpty();
  }

  /** The prefixes published in the research notes (onchain-anchors §3). */
  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "'OwnershipTransferred(address,address)', 0x8be0079c",
    "Upgraded(address), 0xbc7cd75a",
    "'AdminChanged(address,address)', 0x7e644d79",
    "BeaconUpgraded(address), 0x1cf3b03a",
    "'RoleGranted(bytes32,address,address)', 0x2f878811",
    "'RoleRevoked(bytes32,address,address)', 0xf6391f5c",
    "AddedOwner(address), 0x9465fa0c",
    "RemovedOwner(address), 0xf8d49fc5",
    "ChangedThreshold(uint256), 0x610f7ff2",
    "'FlashLoan(address,address,address,uint256,uint256,uint16)', 0x631042c8",
    "'FlashLoan(address,address,address,uint256,uint8,uint256,uint16)', 0xefefaba5",
    "'FlashLoan(address,address,uint256,uint256)', 0x0d7d75e0",
    "'Flash(address,address,uint256,uint256,uint256,uint256)', 0xbdbdb71d",
    "'Swap(address,uint256,uint256,uint256,uint256,address)', 0xd78ad95f",
    "'Swap(address,address,int256,int256,uint160,uint128,int24)', 0xc42079f9",
    "'Sync(uint112,uint112)', 0x1c411e9a",
    "'Burn(address,uint256,uint256,address)', 0xdccd412f",
    "'PairCreated(address,address,address,uint256)', 0x0d3648bd",
    "'Withdrawal(address,bytes32,address,uint256)', 0xe9e508ba",
    "'Deposit(bytes32,uint32,uint256)', 0xa945e51e",
    "Blacklisted(address), 0xffa4e618",
    "AddedBlackList(address), 0x42e16015"
  })
  void cataloguedTopicsMatchThePublishedValues(String signature, String prefix) {
    LogCatalog.Spec spec =
        LogCatalog.SPECS.stream()
            .filter(s -> s.signature().equals(signature))
            .findFirst()
            .orElseThrow();
    assertThat(spec.topic()).startsWith(prefix);
  }

  private static String word(String hexNoPrefix) {
    return "0".repeat(64 - hexNoPrefix.length()) + hexNoPrefix;
  }

  private static String topicOf(String address) {
    return "0x" + word(address.substring(2));
  }

  private static List<Event> decode(String topic0, List<String> moreTopics, String data) {
    return decode(topic0, moreTopics, data, "0x");
  }

  private static List<Event> decode(
      String topic0, List<String> moreTopics, String data, String input) {
    EthBlock.TransactionObject tx = new EthBlock.TransactionObject();
    tx.setHash("0x" + "c".repeat(64));
    tx.setTransactionIndex("0x0");
    tx.setFrom(ALICE);
    tx.setTo(POOL);
    tx.setValue("0x0");
    tx.setNonce("0x1");
    tx.setInput(input);
    EthBlock.Block block = new EthBlock.Block();
    block.setNumber("0x10");
    block.setHash("0x" + "d".repeat(64));
    block.setTimestamp("0x65000000");
    block.setTransactions(List.of(tx));
    Log log = new Log();
    log.setAddress(POOL);
    log.setLogIndex("0x3");
    List<String> topics = new java.util.ArrayList<>();
    if (topic0 != null) {
      topics.add(topic0);
    }
    topics.addAll(moreTopics);
    log.setTopics(topics);
    log.setData(data);
    TransactionReceipt receipt = new TransactionReceipt();
    receipt.setTransactionHash(tx.getHash());
    receipt.setStatus("0x1");
    receipt.setLogs(topic0 == null ? List.of() : List.of(log));
    List<Event> events =
        new EvmDecoder("eip155:1", "ETH").decode(block, Map.of(tx.getHash(), receipt));
    EventParser parser = new EventParser(1);
    events.forEach(
        e ->
            assertThat(parser.parseOne(EventJson.write(e)))
                .as("round-trips as a valid event")
                .isEqualTo(e));
    return events.stream().filter(e -> !e.type().equals("chain.transaction")).toList();
  }

  @Test
  void anOwnershipTransferIsAnAdminChange() {
    List<Event> events =
        decode(
            Hash.sha3String("OwnershipTransferred(address,address)"),
            List.of(topicOf(ALICE), topicOf(BOB)),
            "0x");
    assertThat(events)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.type()).isEqualTo("chain.admin_change");
              assertThat(e.attrs())
                  .containsEntry("kind", "ownership_transferred")
                  .containsEntry(
                      "contract", dev.bulwark.engine.event.Address.parse(POOL).checksummed());
              assertThat(e.from()).isEqualToIgnoringCase(ALICE);
              assertThat(e.to()).isEqualToIgnoringCase(BOB);
              assertThat(e.id()).isEqualTo("eip155:1:16:dddddddd:0:log:3");
            });
  }

  @Test
  void aBalancerFlashLoanAndAUniswapV3SwapAreDecodedLogsWithTheirArguments() {
    String amount = new BigInteger("123456789012345678901234567890").toString(16);
    Event loan =
        decode(
                Hash.sha3String("FlashLoan(address,address,uint256,uint256)"),
                List.of(topicOf(ALICE), topicOf(BOB)),
                "0x" + word(amount) + word("5"))
            .get(0);
    assertThat(loan.type()).isEqualTo("chain.log");
    @SuppressWarnings("unchecked")
    Map<String, Object> args = (Map<String, Object>) loan.attrs().get("args");
    assertThat(args)
        .containsEntry("amount", "123456789012345678901234567890")
        .containsEntry("feeAmount", "5")
        .containsEntry("recipient", ALICE);

    String minusTen = BigInteger.ONE.shiftLeft(256).subtract(BigInteger.TEN).toString(16);
    Event swap =
        decode(
                Hash.sha3String("Swap(address,address,int256,int256,uint160,uint128,int24)"),
                List.of(topicOf(ALICE), topicOf(BOB)),
                "0x"
                    + word(minusTen)
                    + word("14")
                    + word("1")
                    + word("2")
                    + word(
                        BigInteger.ONE.shiftLeft(256).subtract(BigInteger.valueOf(7)).toString(16)))
            .get(0);
    @SuppressWarnings("unchecked")
    Map<String, Object> swapArgs = (Map<String, Object>) swap.attrs().get("args");
    assertThat(swapArgs)
        .containsEntry("amount0", "-10")
        .containsEntry("amount1", "20")
        .containsEntry("tick", -7L);
  }

  @Test
  void aTornadoWithdrawalNamesItsRecipient() {
    Event w =
        decode(
                Hash.sha3String("Withdrawal(address,bytes32,address,uint256)"),
                List.of(topicOf(BOB)),
                "0x" + word(ALICE.substring(2)) + word("ab") + word("64"))
            .get(0);
    assertThat(w.attrs()).containsEntry("kind", "tornado_withdrawal");
    assertThat(w.to()).isEqualToIgnoringCase(ALICE);
  }

  @Test
  void anErc1155SingleTransfer() {
    Event t =
        decode(
                EvmDecoder.TRANSFER_SINGLE,
                List.of(topicOf(POOL), topicOf(ALICE), topicOf(BOB)),
                "0x" + word("7") + word("3"))
            .get(0);
    assertThat(t.type()).isEqualTo("chain.transfer");
    assertThat(t.attrs()).containsEntry("standard", "erc1155").containsEntry("token_id", "7");
    assertThat(t.amount()).isEqualByComparingTo("3");
  }
}
