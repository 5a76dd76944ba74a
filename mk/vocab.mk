# vocab.mk - the tokenizer's tools (engine/tok.c, engine/vocab_data.c).
#
#   make vocab         retrain the BPE vocabulary and rewrite engine/vocab_data.c
#                      (installs the Debian text packages if missing; ~30 s),
#                      then engine/vocab_order.c (make vocab-order)
#   make tokstat       build/tokstat: tokens per vocabulary size on files
#   make vocab-stats   the table in docs/vocab.md (unpacks the corpus if needed)
# Knobs: VOCAB_ENTRIES (default 32768), CORPUS_DIR (default build/corpus).

VOCAB_ENTRIES ?= 32768
CORPUS_DIR    ?= $(B)/corpus

.PHONY: tokstat vocab-stats vocab-order

all: $(B)/tokstat

$(B)/vocab_train: tools/vocab_train.c $(B)/obj/engine/tok.o
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(BASEFL) $(CFLAGS) $(LDFLAGS) -o $@ tools/vocab_train.c $(B)/obj/engine/tok.o $(LDLIBS)

$(B)/tokstat: tools/tokstat.c $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(BASEFL) $(CFLAGS) $(LDFLAGS) -o $@ tools/tokstat.c $(LIB) $(LDLIBS)

tokstat: $(B)/tokstat

vocab: $(B)/vocab_train
	sh tools/make_vocab.sh $(B)/vocab_train engine/vocab_data.c $(VOCAB_ENTRIES)
	$(Q)$(MAKE) --no-print-directory vocab-order

# engine/vocab_order.c: the vocabulary's ids in byte order (tools/vocab_order.c),
# from the vocabulary compiled now
vocab-order:
	@mkdir -p $(B)
	$(Q)$(CC) $(BASEFL) -O2 -o $(B)/vocab_order tools/vocab_order.c engine/tok.c engine/vocab_data.c $(LDLIBS)
	$(Q)$(B)/vocab_order engine/vocab_order.c

vocab-stats: $(B)/tokstat
	@test -f $(CORPUS_DIR)/enwik8_1M || sh ../shared/corpus/unpack.sh $(CORPUS_DIR)
	$(B)/tokstat -a $(CORPUS_DIR)/enwik8_1M $(CORPUS_DIR)/calgary/book1 \
	    $(CORPUS_DIR)/canterbury/alice29.txt
