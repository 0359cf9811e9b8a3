// These tests bind sockets, set NOTIFY_SOCKET and start daemons: run them one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

// vhpcd and vhpc are Linux programs; so are their tests.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
