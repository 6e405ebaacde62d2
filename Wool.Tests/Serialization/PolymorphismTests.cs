namespace Wool.Tests.Serialization;

/// <summary>A derived object in a base-class-typed slot keeps its runtime type, at any depth, both ways.</summary>
[TestClass]
public sealed class PolymorphismTests
{
    [TestMethod]
    public async Task Argument_DerivedObjectInBaseTypedParameter_ArrivesAsDerivedType()
    {
        await using var pool = new InProcessPool();

        string seen = await SerializationRoutines.DescribeAnimal(new Puppy { Name = "Rex" }).WaitAsync(Timeouts.Default);

        Assert.AreEqual(nameof(Puppy), seen);
    }

    [TestMethod]
    public async Task Field_DerivedObjectsInBaseTypedFieldAndList_RoundTripWithTheirTypesAndState()
    {
        await using var pool = new InProcessPool();
        var shelter = new Shelter
        {
            Resident = new Dog { Name = "Ada", GoodBoy = true },
            Waiting = [new Animal { Name = "Cat" }, new Puppy { Name = "Bo", GoodBoy = false, AgeInWeeks = 3 }],
        };

        Shelter back = await SerializationRoutines.EchoShelter(shelter).WaitAsync(Timeouts.Default);

        var dog = back.Resident as Dog;
        Assert.IsNotNull(dog, $"Resident came back as {back.Resident?.GetType().Name}.");
        Assert.AreEqual(("Ada", true), (dog.Name, dog.GoodBoy));
        Assert.AreEqual(typeof(Animal), back.Waiting[0].GetType());
        var puppy = back.Waiting[1] as Puppy;
        Assert.IsNotNull(puppy);
        Assert.AreEqual(("Bo", false, 3), (puppy.Name, puppy.GoodBoy, puppy.AgeInWeeks));
    }

    [TestMethod]
    public async Task Result_DerivedObjectReturnedAsBaseType_ArrivesAsDerivedType()
    {
        await using var pool = new InProcessPool();

        Animal adopted = await SerializationRoutines.Adopt("Fido").WaitAsync(Timeouts.Default);

        var puppy = adopted as Puppy;
        Assert.IsNotNull(puppy, $"Came back as {adopted.GetType().Name}.");
        Assert.AreEqual(("Fido", true, 9), (puppy.Name, puppy.GoodBoy, puppy.AgeInWeeks));
    }
}
