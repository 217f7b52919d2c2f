// An unminified script: comments, indentation and functions nobody calls.

/**
 * Helper number 0: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper0(value) {
    // add the index, then double it
    var result = value + 0;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 1: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper1(value) {
    // add the index, then double it
    var result = value + 1;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 2: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper2(value) {
    // add the index, then double it
    var result = value + 2;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 3: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper3(value) {
    // add the index, then double it
    var result = value + 3;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 4: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper4(value) {
    // add the index, then double it
    var result = value + 4;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 5: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper5(value) {
    // add the index, then double it
    var result = value + 5;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 6: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper6(value) {
    // add the index, then double it
    var result = value + 6;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 7: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper7(value) {
    // add the index, then double it
    var result = value + 7;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 8: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper8(value) {
    // add the index, then double it
    var result = value + 8;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 9: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper9(value) {
    // add the index, then double it
    var result = value + 9;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 10: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper10(value) {
    // add the index, then double it
    var result = value + 10;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 11: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper11(value) {
    // add the index, then double it
    var result = value + 11;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 12: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper12(value) {
    // add the index, then double it
    var result = value + 12;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 13: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper13(value) {
    // add the index, then double it
    var result = value + 13;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 14: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper14(value) {
    // add the index, then double it
    var result = value + 14;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 15: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper15(value) {
    // add the index, then double it
    var result = value + 15;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 16: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper16(value) {
    // add the index, then double it
    var result = value + 16;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 17: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper17(value) {
    // add the index, then double it
    var result = value + 17;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 18: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper18(value) {
    // add the index, then double it
    var result = value + 18;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 19: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper19(value) {
    // add the index, then double it
    var result = value + 19;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 20: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper20(value) {
    // add the index, then double it
    var result = value + 20;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 21: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper21(value) {
    // add the index, then double it
    var result = value + 21;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 22: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper22(value) {
    // add the index, then double it
    var result = value + 22;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 23: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper23(value) {
    // add the index, then double it
    var result = value + 23;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 24: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper24(value) {
    // add the index, then double it
    var result = value + 24;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 25: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper25(value) {
    // add the index, then double it
    var result = value + 25;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 26: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper26(value) {
    // add the index, then double it
    var result = value + 26;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 27: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper27(value) {
    // add the index, then double it
    var result = value + 27;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 28: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper28(value) {
    // add the index, then double it
    var result = value + 28;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 29: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper29(value) {
    // add the index, then double it
    var result = value + 29;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 30: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper30(value) {
    // add the index, then double it
    var result = value + 30;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 31: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper31(value) {
    // add the index, then double it
    var result = value + 31;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 32: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper32(value) {
    // add the index, then double it
    var result = value + 32;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 33: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper33(value) {
    // add the index, then double it
    var result = value + 33;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 34: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper34(value) {
    // add the index, then double it
    var result = value + 34;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 35: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper35(value) {
    // add the index, then double it
    var result = value + 35;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 36: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper36(value) {
    // add the index, then double it
    var result = value + 36;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 37: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper37(value) {
    // add the index, then double it
    var result = value + 37;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 38: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper38(value) {
    // add the index, then double it
    var result = value + 38;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 39: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper39(value) {
    // add the index, then double it
    var result = value + 39;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 40: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper40(value) {
    // add the index, then double it
    var result = value + 40;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 41: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper41(value) {
    // add the index, then double it
    var result = value + 41;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 42: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper42(value) {
    // add the index, then double it
    var result = value + 42;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 43: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper43(value) {
    // add the index, then double it
    var result = value + 43;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 44: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper44(value) {
    // add the index, then double it
    var result = value + 44;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 45: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper45(value) {
    // add the index, then double it
    var result = value + 45;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 46: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper46(value) {
    // add the index, then double it
    var result = value + 46;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 47: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper47(value) {
    // add the index, then double it
    var result = value + 47;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 48: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper48(value) {
    // add the index, then double it
    var result = value + 48;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 49: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper49(value) {
    // add the index, then double it
    var result = value + 49;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 50: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper50(value) {
    // add the index, then double it
    var result = value + 50;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 51: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper51(value) {
    // add the index, then double it
    var result = value + 51;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 52: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper52(value) {
    // add the index, then double it
    var result = value + 52;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 53: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper53(value) {
    // add the index, then double it
    var result = value + 53;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 54: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper54(value) {
    // add the index, then double it
    var result = value + 54;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 55: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper55(value) {
    // add the index, then double it
    var result = value + 55;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 56: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper56(value) {
    // add the index, then double it
    var result = value + 56;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 57: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper57(value) {
    // add the index, then double it
    var result = value + 57;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 58: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper58(value) {
    // add the index, then double it
    var result = value + 58;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 59: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper59(value) {
    // add the index, then double it
    var result = value + 59;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 60: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper60(value) {
    // add the index, then double it
    var result = value + 60;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 61: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper61(value) {
    // add the index, then double it
    var result = value + 61;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 62: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper62(value) {
    // add the index, then double it
    var result = value + 62;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 63: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper63(value) {
    // add the index, then double it
    var result = value + 63;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 64: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper64(value) {
    // add the index, then double it
    var result = value + 64;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 65: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper65(value) {
    // add the index, then double it
    var result = value + 65;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 66: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper66(value) {
    // add the index, then double it
    var result = value + 66;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 67: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper67(value) {
    // add the index, then double it
    var result = value + 67;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 68: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper68(value) {
    // add the index, then double it
    var result = value + 68;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 69: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper69(value) {
    // add the index, then double it
    var result = value + 69;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 70: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper70(value) {
    // add the index, then double it
    var result = value + 70;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 71: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper71(value) {
    // add the index, then double it
    var result = value + 71;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 72: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper72(value) {
    // add the index, then double it
    var result = value + 72;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 73: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper73(value) {
    // add the index, then double it
    var result = value + 73;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 74: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper74(value) {
    // add the index, then double it
    var result = value + 74;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 75: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper75(value) {
    // add the index, then double it
    var result = value + 75;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 76: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper76(value) {
    // add the index, then double it
    var result = value + 76;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 77: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper77(value) {
    // add the index, then double it
    var result = value + 77;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 78: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper78(value) {
    // add the index, then double it
    var result = value + 78;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 79: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper79(value) {
    // add the index, then double it
    var result = value + 79;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 80: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper80(value) {
    // add the index, then double it
    var result = value + 80;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 81: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper81(value) {
    // add the index, then double it
    var result = value + 81;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 82: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper82(value) {
    // add the index, then double it
    var result = value + 82;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 83: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper83(value) {
    // add the index, then double it
    var result = value + 83;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 84: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper84(value) {
    // add the index, then double it
    var result = value + 84;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 85: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper85(value) {
    // add the index, then double it
    var result = value + 85;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 86: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper86(value) {
    // add the index, then double it
    var result = value + 86;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 87: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper87(value) {
    // add the index, then double it
    var result = value + 87;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 88: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper88(value) {
    // add the index, then double it
    var result = value + 88;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 89: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper89(value) {
    // add the index, then double it
    var result = value + 89;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 90: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper90(value) {
    // add the index, then double it
    var result = value + 90;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 91: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper91(value) {
    // add the index, then double it
    var result = value + 91;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 92: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper92(value) {
    // add the index, then double it
    var result = value + 92;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 93: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper93(value) {
    // add the index, then double it
    var result = value + 93;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 94: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper94(value) {
    // add the index, then double it
    var result = value + 94;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 95: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper95(value) {
    // add the index, then double it
    var result = value + 95;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 96: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper96(value) {
    // add the index, then double it
    var result = value + 96;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 97: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper97(value) {
    // add the index, then double it
    var result = value + 97;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 98: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper98(value) {
    // add the index, then double it
    var result = value + 98;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 99: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper99(value) {
    // add the index, then double it
    var result = value + 99;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 100: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper100(value) {
    // add the index, then double it
    var result = value + 100;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 101: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper101(value) {
    // add the index, then double it
    var result = value + 101;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 102: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper102(value) {
    // add the index, then double it
    var result = value + 102;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 103: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper103(value) {
    // add the index, then double it
    var result = value + 103;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 104: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper104(value) {
    // add the index, then double it
    var result = value + 104;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 105: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper105(value) {
    // add the index, then double it
    var result = value + 105;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 106: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper106(value) {
    // add the index, then double it
    var result = value + 106;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 107: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper107(value) {
    // add the index, then double it
    var result = value + 107;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 108: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper108(value) {
    // add the index, then double it
    var result = value + 108;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 109: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper109(value) {
    // add the index, then double it
    var result = value + 109;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 110: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper110(value) {
    // add the index, then double it
    var result = value + 110;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 111: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper111(value) {
    // add the index, then double it
    var result = value + 111;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 112: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper112(value) {
    // add the index, then double it
    var result = value + 112;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 113: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper113(value) {
    // add the index, then double it
    var result = value + 113;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 114: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper114(value) {
    // add the index, then double it
    var result = value + 114;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 115: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper115(value) {
    // add the index, then double it
    var result = value + 115;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 116: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper116(value) {
    // add the index, then double it
    var result = value + 116;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 117: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper117(value) {
    // add the index, then double it
    var result = value + 117;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 118: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper118(value) {
    // add the index, then double it
    var result = value + 118;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 119: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper119(value) {
    // add the index, then double it
    var result = value + 119;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 120: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper120(value) {
    // add the index, then double it
    var result = value + 120;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 121: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper121(value) {
    // add the index, then double it
    var result = value + 121;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 122: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper122(value) {
    // add the index, then double it
    var result = value + 122;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 123: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper123(value) {
    // add the index, then double it
    var result = value + 123;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 124: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper124(value) {
    // add the index, then double it
    var result = value + 124;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 125: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper125(value) {
    // add the index, then double it
    var result = value + 125;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 126: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper126(value) {
    // add the index, then double it
    var result = value + 126;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 127: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper127(value) {
    // add the index, then double it
    var result = value + 127;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 128: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper128(value) {
    // add the index, then double it
    var result = value + 128;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 129: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper129(value) {
    // add the index, then double it
    var result = value + 129;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 130: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper130(value) {
    // add the index, then double it
    var result = value + 130;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 131: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper131(value) {
    // add the index, then double it
    var result = value + 131;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 132: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper132(value) {
    // add the index, then double it
    var result = value + 132;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 133: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper133(value) {
    // add the index, then double it
    var result = value + 133;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 134: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper134(value) {
    // add the index, then double it
    var result = value + 134;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 135: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper135(value) {
    // add the index, then double it
    var result = value + 135;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 136: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper136(value) {
    // add the index, then double it
    var result = value + 136;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 137: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper137(value) {
    // add the index, then double it
    var result = value + 137;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 138: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper138(value) {
    // add the index, then double it
    var result = value + 138;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 139: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper139(value) {
    // add the index, then double it
    var result = value + 139;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 140: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper140(value) {
    // add the index, then double it
    var result = value + 140;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 141: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper141(value) {
    // add the index, then double it
    var result = value + 141;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 142: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper142(value) {
    // add the index, then double it
    var result = value + 142;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 143: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper143(value) {
    // add the index, then double it
    var result = value + 143;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 144: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper144(value) {
    // add the index, then double it
    var result = value + 144;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 145: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper145(value) {
    // add the index, then double it
    var result = value + 145;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 146: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper146(value) {
    // add the index, then double it
    var result = value + 146;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 147: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper147(value) {
    // add the index, then double it
    var result = value + 147;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 148: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper148(value) {
    // add the index, then double it
    var result = value + 148;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 149: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper149(value) {
    // add the index, then double it
    var result = value + 149;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 150: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper150(value) {
    // add the index, then double it
    var result = value + 150;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 151: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper151(value) {
    // add the index, then double it
    var result = value + 151;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 152: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper152(value) {
    // add the index, then double it
    var result = value + 152;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 153: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper153(value) {
    // add the index, then double it
    var result = value + 153;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 154: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper154(value) {
    // add the index, then double it
    var result = value + 154;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 155: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper155(value) {
    // add the index, then double it
    var result = value + 155;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 156: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper156(value) {
    // add the index, then double it
    var result = value + 156;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 157: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper157(value) {
    // add the index, then double it
    var result = value + 157;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 158: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper158(value) {
    // add the index, then double it
    var result = value + 158;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 159: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper159(value) {
    // add the index, then double it
    var result = value + 159;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 160: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper160(value) {
    // add the index, then double it
    var result = value + 160;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 161: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper161(value) {
    // add the index, then double it
    var result = value + 161;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 162: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper162(value) {
    // add the index, then double it
    var result = value + 162;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 163: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper163(value) {
    // add the index, then double it
    var result = value + 163;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 164: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper164(value) {
    // add the index, then double it
    var result = value + 164;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 165: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper165(value) {
    // add the index, then double it
    var result = value + 165;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 166: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper166(value) {
    // add the index, then double it
    var result = value + 166;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 167: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper167(value) {
    // add the index, then double it
    var result = value + 167;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 168: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper168(value) {
    // add the index, then double it
    var result = value + 168;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 169: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper169(value) {
    // add the index, then double it
    var result = value + 169;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 170: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper170(value) {
    // add the index, then double it
    var result = value + 170;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 171: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper171(value) {
    // add the index, then double it
    var result = value + 171;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 172: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper172(value) {
    // add the index, then double it
    var result = value + 172;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 173: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper173(value) {
    // add the index, then double it
    var result = value + 173;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 174: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper174(value) {
    // add the index, then double it
    var result = value + 174;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 175: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper175(value) {
    // add the index, then double it
    var result = value + 175;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 176: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper176(value) {
    // add the index, then double it
    var result = value + 176;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 177: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper177(value) {
    // add the index, then double it
    var result = value + 177;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 178: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper178(value) {
    // add the index, then double it
    var result = value + 178;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 179: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper179(value) {
    // add the index, then double it
    var result = value + 179;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 180: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper180(value) {
    // add the index, then double it
    var result = value + 180;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 181: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper181(value) {
    // add the index, then double it
    var result = value + 181;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 182: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper182(value) {
    // add the index, then double it
    var result = value + 182;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 183: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper183(value) {
    // add the index, then double it
    var result = value + 183;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 184: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper184(value) {
    // add the index, then double it
    var result = value + 184;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 185: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper185(value) {
    // add the index, then double it
    var result = value + 185;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 186: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper186(value) {
    // add the index, then double it
    var result = value + 186;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 187: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper187(value) {
    // add the index, then double it
    var result = value + 187;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 188: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper188(value) {
    // add the index, then double it
    var result = value + 188;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 189: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper189(value) {
    // add the index, then double it
    var result = value + 189;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 190: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper190(value) {
    // add the index, then double it
    var result = value + 190;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 191: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper191(value) {
    // add the index, then double it
    var result = value + 191;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 192: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper192(value) {
    // add the index, then double it
    var result = value + 192;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 193: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper193(value) {
    // add the index, then double it
    var result = value + 193;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 194: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper194(value) {
    // add the index, then double it
    var result = value + 194;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 195: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper195(value) {
    // add the index, then double it
    var result = value + 195;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 196: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper196(value) {
    // add the index, then double it
    var result = value + 196;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 197: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper197(value) {
    // add the index, then double it
    var result = value + 197;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 198: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper198(value) {
    // add the index, then double it
    var result = value + 198;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 199: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper199(value) {
    // add the index, then double it
    var result = value + 199;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 200: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper200(value) {
    // add the index, then double it
    var result = value + 200;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 201: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper201(value) {
    // add the index, then double it
    var result = value + 201;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 202: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper202(value) {
    // add the index, then double it
    var result = value + 202;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 203: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper203(value) {
    // add the index, then double it
    var result = value + 203;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 204: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper204(value) {
    // add the index, then double it
    var result = value + 204;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 205: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper205(value) {
    // add the index, then double it
    var result = value + 205;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 206: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper206(value) {
    // add the index, then double it
    var result = value + 206;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 207: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper207(value) {
    // add the index, then double it
    var result = value + 207;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 208: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper208(value) {
    // add the index, then double it
    var result = value + 208;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 209: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper209(value) {
    // add the index, then double it
    var result = value + 209;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 210: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper210(value) {
    // add the index, then double it
    var result = value + 210;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 211: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper211(value) {
    // add the index, then double it
    var result = value + 211;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 212: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper212(value) {
    // add the index, then double it
    var result = value + 212;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 213: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper213(value) {
    // add the index, then double it
    var result = value + 213;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 214: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper214(value) {
    // add the index, then double it
    var result = value + 214;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 215: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper215(value) {
    // add the index, then double it
    var result = value + 215;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 216: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper216(value) {
    // add the index, then double it
    var result = value + 216;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 217: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper217(value) {
    // add the index, then double it
    var result = value + 217;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 218: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper218(value) {
    // add the index, then double it
    var result = value + 218;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 219: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper219(value) {
    // add the index, then double it
    var result = value + 219;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 220: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper220(value) {
    // add the index, then double it
    var result = value + 220;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 221: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper221(value) {
    // add the index, then double it
    var result = value + 221;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 222: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper222(value) {
    // add the index, then double it
    var result = value + 222;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 223: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper223(value) {
    // add the index, then double it
    var result = value + 223;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 224: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper224(value) {
    // add the index, then double it
    var result = value + 224;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 225: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper225(value) {
    // add the index, then double it
    var result = value + 225;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 226: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper226(value) {
    // add the index, then double it
    var result = value + 226;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 227: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper227(value) {
    // add the index, then double it
    var result = value + 227;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 228: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper228(value) {
    // add the index, then double it
    var result = value + 228;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 229: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper229(value) {
    // add the index, then double it
    var result = value + 229;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 230: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper230(value) {
    // add the index, then double it
    var result = value + 230;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 231: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper231(value) {
    // add the index, then double it
    var result = value + 231;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 232: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper232(value) {
    // add the index, then double it
    var result = value + 232;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 233: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper233(value) {
    // add the index, then double it
    var result = value + 233;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 234: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper234(value) {
    // add the index, then double it
    var result = value + 234;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 235: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper235(value) {
    // add the index, then double it
    var result = value + 235;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 236: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper236(value) {
    // add the index, then double it
    var result = value + 236;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 237: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper237(value) {
    // add the index, then double it
    var result = value + 237;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 238: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper238(value) {
    // add the index, then double it
    var result = value + 238;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 239: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper239(value) {
    // add the index, then double it
    var result = value + 239;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 240: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper240(value) {
    // add the index, then double it
    var result = value + 240;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 241: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper241(value) {
    // add the index, then double it
    var result = value + 241;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 242: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper242(value) {
    // add the index, then double it
    var result = value + 242;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 243: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper243(value) {
    // add the index, then double it
    var result = value + 243;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 244: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper244(value) {
    // add the index, then double it
    var result = value + 244;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 245: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper245(value) {
    // add the index, then double it
    var result = value + 245;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 246: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper246(value) {
    // add the index, then double it
    var result = value + 246;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 247: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper247(value) {
    // add the index, then double it
    var result = value + 247;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 248: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper248(value) {
    // add the index, then double it
    var result = value + 248;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 249: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper249(value) {
    // add the index, then double it
    var result = value + 249;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 250: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper250(value) {
    // add the index, then double it
    var result = value + 250;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 251: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper251(value) {
    // add the index, then double it
    var result = value + 251;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 252: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper252(value) {
    // add the index, then double it
    var result = value + 252;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 253: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper253(value) {
    // add the index, then double it
    var result = value + 253;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 254: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper254(value) {
    // add the index, then double it
    var result = value + 254;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 255: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper255(value) {
    // add the index, then double it
    var result = value + 255;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 256: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper256(value) {
    // add the index, then double it
    var result = value + 256;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 257: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper257(value) {
    // add the index, then double it
    var result = value + 257;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 258: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper258(value) {
    // add the index, then double it
    var result = value + 258;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 259: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper259(value) {
    // add the index, then double it
    var result = value + 259;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 260: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper260(value) {
    // add the index, then double it
    var result = value + 260;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 261: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper261(value) {
    // add the index, then double it
    var result = value + 261;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 262: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper262(value) {
    // add the index, then double it
    var result = value + 262;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 263: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper263(value) {
    // add the index, then double it
    var result = value + 263;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 264: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper264(value) {
    // add the index, then double it
    var result = value + 264;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 265: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper265(value) {
    // add the index, then double it
    var result = value + 265;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 266: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper266(value) {
    // add the index, then double it
    var result = value + 266;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 267: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper267(value) {
    // add the index, then double it
    var result = value + 267;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 268: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper268(value) {
    // add the index, then double it
    var result = value + 268;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 269: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper269(value) {
    // add the index, then double it
    var result = value + 269;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 270: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper270(value) {
    // add the index, then double it
    var result = value + 270;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 271: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper271(value) {
    // add the index, then double it
    var result = value + 271;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 272: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper272(value) {
    // add the index, then double it
    var result = value + 272;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 273: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper273(value) {
    // add the index, then double it
    var result = value + 273;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 274: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper274(value) {
    // add the index, then double it
    var result = value + 274;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 275: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper275(value) {
    // add the index, then double it
    var result = value + 275;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 276: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper276(value) {
    // add the index, then double it
    var result = value + 276;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 277: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper277(value) {
    // add the index, then double it
    var result = value + 277;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 278: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper278(value) {
    // add the index, then double it
    var result = value + 278;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 279: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper279(value) {
    // add the index, then double it
    var result = value + 279;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 280: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper280(value) {
    // add the index, then double it
    var result = value + 280;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 281: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper281(value) {
    // add the index, then double it
    var result = value + 281;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 282: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper282(value) {
    // add the index, then double it
    var result = value + 282;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 283: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper283(value) {
    // add the index, then double it
    var result = value + 283;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 284: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper284(value) {
    // add the index, then double it
    var result = value + 284;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 285: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper285(value) {
    // add the index, then double it
    var result = value + 285;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 286: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper286(value) {
    // add the index, then double it
    var result = value + 286;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 287: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper287(value) {
    // add the index, then double it
    var result = value + 287;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 288: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper288(value) {
    // add the index, then double it
    var result = value + 288;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 289: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper289(value) {
    // add the index, then double it
    var result = value + 289;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 290: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper290(value) {
    // add the index, then double it
    var result = value + 290;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 291: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper291(value) {
    // add the index, then double it
    var result = value + 291;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 292: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper292(value) {
    // add the index, then double it
    var result = value + 292;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 293: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper293(value) {
    // add the index, then double it
    var result = value + 293;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 294: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper294(value) {
    // add the index, then double it
    var result = value + 294;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 295: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper295(value) {
    // add the index, then double it
    var result = value + 295;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 296: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper296(value) {
    // add the index, then double it
    var result = value + 296;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 297: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper297(value) {
    // add the index, then double it
    var result = value + 297;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 298: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper298(value) {
    // add the index, then double it
    var result = value + 298;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

/**
 * Helper number 299: computes a value that nobody asks for.
 * It is long on purpose, to waste bytes the page downloads.
 */
function helper299(value) {
    // add the index, then double it
    var result = value + 299;
    if (result > 1000) {
        result = result - 1000;
    }
    return result * 2;
}

window.psdataUsed = helper1(1);
