package io.procgate.core.network;

/**
 * A session's own network namespace: a loopback of its own, and one link to the host, which
 * forwards and masquerades what it sends out. Open while the session lives.
 *
 * @param name the namespace's name, as {@code ip netns} knows it
 * @param index which of the block's /30s it has
 * @param link the host side's interface
 * @param hostAddress the host side's address, the session's gateway
 * @param address the session's own address, where the server reaches what listens in it
 * @param descriptor the namespace, open, for threads to enter
 */
public record SessionNetwork(
    String name, int index, String link, String hostAddress, String address, int descriptor) {}
