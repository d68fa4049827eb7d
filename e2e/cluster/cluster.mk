test-cluster: $(STAMP)
	@echo "test-cluster: not written yet" && false
