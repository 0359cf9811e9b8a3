namespace Vhpc.Engine.Naming;

public enum NodeRole
{
    Management,
    Worker,
}
