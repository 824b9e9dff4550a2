"""Equipment under the General Agreement: discounts in force on the order date, warranty,
the training incentive and the 7R/E Packet Solution promise (GA Amendments 2-4, file 004)."""
