module ppg-example-go

go 1.19
