using Wool;

#if OPTIMIZED
namespace Wool.Tests.Fixtures.Optimized;
#else
namespace Wool.Tests.Fixtures;
#endif

/// <summary>A routine declared in a C# 14 extension block: the receiver travels like a first argument.</summary>
public static class ExtensionShapes
{
    extension(int n)
    {
        [Routine]
        public async Task<int> DoubledAsync()
        {
            await Task.Yield();
            return n * 2;
        }
    }
}
