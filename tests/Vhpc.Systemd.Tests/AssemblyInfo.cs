// One booted container is shared by the whole tier (a collection fixture), and its tests build on
// each other's state in a fixed order: nothing runs in parallel.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
