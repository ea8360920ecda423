// Each test runs a hub and several agents; on a shared 2-core machine they run one class at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
