Console.WriteLine("SmartCity.IoT gateway: under construction");
