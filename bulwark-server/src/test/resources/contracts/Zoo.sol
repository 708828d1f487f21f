// SPDX-License-Identifier: MIT
// Minimal contracts for the chain decoding tests (written for Bulwark): each emits the events of
// its standard, nothing more.
pragma solidity ^0.8.20;

/// An ERC-721: mint and transfer.
contract Collectible {
    mapping(uint256 => address) public ownerOf;
    event Transfer(address indexed from, address indexed to, uint256 indexed tokenId);
    event ApprovalForAll(address indexed owner, address indexed operator, bool approved);

    function mint(address to, uint256 id) external {
        require(ownerOf[id] == address(0), "minted");
        ownerOf[id] = to;
        emit Transfer(address(0), to, id);
    }

    function transferFrom(address from, address to, uint256 id) external {
        require(ownerOf[id] == from && msg.sender == from, "owner");
        ownerOf[id] = to;
        emit Transfer(from, to, id);
    }

    function setApprovalForAll(address operator, bool approved) external {
        emit ApprovalForAll(msg.sender, operator, approved);
    }
}

/// An ERC-1155 batch mint.
contract Multi {
    mapping(uint256 => mapping(address => uint256)) public balanceOf;
    event TransferBatch(address indexed operator, address indexed from, address indexed to, uint256[] ids, uint256[] values);

    function mintBatch(address to, uint256[] calldata ids, uint256[] calldata values) external {
        for (uint256 i = 0; i < ids.length; i++) {
            balanceOf[ids[i]][to] += values[i];
        }
        emit TransferBatch(msg.sender, address(0), to, ids, values);
    }
}

/// An ownable upgradeable proxy in the ERC-1967 style: owner, implementation and admin changes.
contract UpgradeableProxy {
    address public owner;
    address public implementation;
    address public admin;
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);
    event Upgraded(address indexed implementation);
    event AdminChanged(address previousAdmin, address newAdmin);

    constructor() {
        owner = msg.sender;
        admin = msg.sender;
        emit OwnershipTransferred(address(0), msg.sender);
    }

    modifier onlyOwner() {
        require(msg.sender == owner, "owner");
        _;
    }

    function upgradeTo(address next) external onlyOwner {
        implementation = next;
        emit Upgraded(next);
    }

    function changeAdmin(address next) external onlyOwner {
        emit AdminChanged(admin, next);
        admin = next;
    }

    function transferOwnership(address next) external onlyOwner {
        emit OwnershipTransferred(owner, next);
        owner = next;
    }
}

/// A Safe-like owner list with a signing threshold.
contract Owners {
    mapping(address => bool) public isOwner;
    uint256 public threshold = 1;
    event AddedOwner(address indexed owner);
    event RemovedOwner(address indexed owner);
    event ChangedThreshold(uint256 threshold);

    function addOwner(address o) external {
        isOwner[o] = true;
        emit AddedOwner(o);
    }

    function removeOwner(address o) external {
        isOwner[o] = false;
        emit RemovedOwner(o);
    }

    function changeThreshold(uint256 t) external {
        threshold = t;
        emit ChangedThreshold(t);
    }
}

/// An ERC-20 allowance with an EIP-2612 permit that checks the holder's EIP-712 signature.
contract PermitToken {
    mapping(address => mapping(address => uint256)) public allowance;
    mapping(address => uint256) public nonces;
    bytes32 public immutable DOMAIN_SEPARATOR;
    bytes32 public constant PERMIT_TYPEHASH =
        keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");
    event Approval(address indexed owner, address indexed spender, uint256 value);

    constructor() {
        DOMAIN_SEPARATOR = keccak256(abi.encode(
            keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
            keccak256("Permit Test"), keccak256("1"), block.chainid, address(this)));
    }

    function permit(address owner, address spender, uint256 value, uint256 deadline, uint8 v, bytes32 r, bytes32 s) external {
        require(block.timestamp <= deadline, "expired");
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", DOMAIN_SEPARATOR,
            keccak256(abi.encode(PERMIT_TYPEHASH, owner, spender, value, nonces[owner]++, deadline))));
        require(ecrecover(digest, v, r, s) == owner, "signature");
        allowance[owner][spender] = value;
        emit Approval(owner, spender, value);
    }
}

/// Forwards a call: how routers and relayers submit permits inside a larger transaction.
contract Relayer {
    function relay(address target, bytes calldata data) external {
        (bool ok, ) = target.call(data);
        require(ok, "relayed call failed");
    }
}

/// Creates contracts from a contract: internal creations, visible only in traces.
contract Factory {
    event Made(address child);

    function make(uint256 n) external {
        for (uint256 i = 0; i < n; i++) {
            emit Made(address(new Child()));
        }
    }
}

contract Child {}
