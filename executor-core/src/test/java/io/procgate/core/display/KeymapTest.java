package io.procgate.core.display;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class KeymapTest {
  private static final String TABLE =
      String.join(
          "\n",
          "keycode   8 =",
          "keycode   9 = Escape NoSymbol Escape",
          "keycode  93 =",
          "keycode  97 = ",
          "keycode  38 = a A a A");

  @Test
  void spareKeysAreTheOnesWithNothingBound() {
    assertThat(new Keymap(TABLE).capacity()).isEqualTo(3);
  }

  @Test
  void eachCharacterBeyondTheKeyboardKeepsAKeyOfItsOwnUntilTheLeastRecentIsNeeded() {
    Keymap keys = new Keymap(TABLE);

    assertThat(keys.bind("plain ascii\ttab\n")).isEmpty();
    assertThat(keys.bind("héé")).containsExactly("keycode 8 = 0xe9 0xe9");
    assertThat(keys.bind("é✓€"))
        .containsExactly("keycode 93 = 0x1002713 0x1002713", "keycode 97 = 0x10020ac 0x10020ac");
    assertThat(keys.bind("€é")).isEmpty();
    // ✓ is the one typed longest ago: its key goes to ö.
    assertThat(keys.bind("ö")).containsExactly("keycode 93 = 0xf6 0xf6");
  }

  @Test
  void textIsCutWhereItWouldNeedMoreKeysThanThereAre() {
    assertThat(Screen.pieces("aébçdéeö", 2)).containsExactly("aébçdée", "ö");
    assertThat(Screen.pieces("only ascii", 1)).containsExactly("only ascii");
    assertThat(Screen.pieces("😀x😀y🙂", 1)).containsExactly("😀x😀y", "🙂");
    // No piece is longer than one argument of a command may be.
    String text = "é".repeat(Screen.MAX_ARGUMENT_BYTES);
    assertThat(Screen.pieces(text, 1))
        .hasSize(2)
        .allSatisfy(
            piece ->
                assertThat(piece.getBytes(StandardCharsets.UTF_8).length)
                    .isLessThanOrEqualTo(Screen.MAX_ARGUMENT_BYTES));
  }
}
