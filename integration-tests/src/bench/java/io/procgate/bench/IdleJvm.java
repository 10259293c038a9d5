package io.procgate.bench;

/** A JVM doing nothing: the floor of a Java server's start time and resident memory. */
public final class IdleJvm {
  private IdleJvm() {}

  public static void main(String[] args) throws InterruptedException {
    System.out.println("ready");
    Thread.sleep(Long.parseLong(args[0]));
  }
}
