/*
 * vocab_dump.c - prints the built-in vocabulary, one "id hex-bytes" line per
 * token, through the public API; input of the simulations in tools/sim/.
 */
#include <stdio.h>

#include "smix.h"

int main(void)
{
    for (uint32_t id = 0; id < smix_vocab_size(); id++) {
        uint32_t len;
        const uint8_t *b = smix_vocab_token(id, &len);
        printf("%u ", id);
        for (uint32_t i = 0; i < len; i++) printf("%02x", b[i]);
        printf("\n");
    }
    return 0;
}
