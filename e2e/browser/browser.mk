test-browser: $(STAMP)
	@echo "test-browser: not written yet" && false
