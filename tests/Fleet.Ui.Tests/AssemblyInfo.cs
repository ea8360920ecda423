// Each test starts a hub, agents and a browser: running them one at a time keeps a 2-core CI machine responsive.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
